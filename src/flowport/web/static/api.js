// The console's API page: filter the operations, send test requests, switch and refresh the code.
// Everything the server or a response says is inserted with textContent, never as HTML.
(function () {
  "use strict";

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var tokenMeta = document.querySelector('meta[name="flowport-token-path"]');
  var CSRF = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var TOKEN_PATH = tokenMeta ? tokenMeta.getAttribute("content") : "/connect/token";
  var HEADERS_SHOWN = ["location", "content-type", "www-authenticate", "retry-after", "etag", "x-request-id"];
  var INSTANCE_LOCATION = /\/api\/v1\/process-instances\/([^\/?#]+)$/;

  // --- the filter box ------------------------------------------------------------------------
  var filter = document.getElementById("api-filter");
  var filterStatus = document.getElementById("api-filter-status");
  var noMatch = document.getElementById("api-no-match");
  var operations = Array.prototype.slice.call(document.querySelectorAll("details.operation"));

  function applyFilter() {
    var words = filter.value.toLowerCase().trim().split(/\s+/).filter(Boolean);
    var shown = 0;
    operations.forEach(function (op) {
      var text = op.dataset.search || "";
      var match = words.every(function (word) { return text.indexOf(word) !== -1; });
      op.hidden = !match;
      if (match) { shown += 1; }
    });
    document.querySelectorAll("[data-group]").forEach(function (group) {
      var visible = group.querySelectorAll("details.operation:not([hidden])").length;
      group.hidden = visible === 0;
      var entry = document.querySelector('[data-toc-group="' + group.id + '"]');
      if (entry) {
        entry.hidden = visible === 0;
        entry.querySelector("[data-toc-count]").textContent = String(visible);
      }
    });
    var total = filterStatus.dataset.total;
    filterStatus.textContent = words.length ? shown + " of " + total + " operations" : total + " operations";
    noMatch.hidden = shown !== 0;
  }
  if (filter) {
    filter.addEventListener("input", applyFilter);
    if (filter.value) { applyFilter(); }
  }

  // A link to an operation (#id) opens it.
  function openFromHash() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    if (!target) { return; }
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
    target.scrollIntoView();
  }
  window.addEventListener("hashchange", openFromHash);
  openFromHash();

  // --- credentials ---------------------------------------------------------------------------
  function credentialOf(form) {
    var checked = form.querySelector('input[name="credential"]:checked');
    return checked ? checked.value : "session";
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.name === "credential" && input.form && input.form.hasAttribute("data-try")) {
      input.form.querySelector("[data-client-fields]").hidden = credentialOf(input.form) !== "client";
    }
  });

  // The client typed in one form is the client of every form (typed once for the whole page).
  document.addEventListener("input", function (event) {
    var input = event.target;
    var selector = input.hasAttribute("data-client-id") ? "[data-client-id]"
      : input.hasAttribute("data-client-secret") ? "[data-client-secret]" : null;
    if (!selector) { return; }
    document.querySelectorAll(selector).forEach(function (other) {
      if (other !== input) { other.value = input.value; }
    });
  });

  // --- sending a test request ----------------------------------------------------------------
  function fieldsOf(form, prefix) {
    var values = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (element.name && element.name.indexOf(prefix + ".") === 0 && element.type !== "file") {
        values.push([element.name.slice(prefix.length + 1), element.value, element]);
      }
    });
    return values;
  }

  function buildRequest(form, op) {
    var method = op.dataset.method;
    var missing = [];
    var path = op.dataset.path.replace(/\{([^}\/]+)\}/g, function (whole, name) {
      var element = form.elements["path." + name];
      var value = element ? element.value : "";
      if (!value) { missing.push(name); }
      return encodeURIComponent(value);
    });
    if (missing.length) { throw new Error("Fill in the path parameter " + missing.join(", ")); }
    var query = new URLSearchParams();
    fieldsOf(form, "query").forEach(function (item) { if (item[1] !== "") { query.append(item[0], item[1]); } });
    var headers = {};
    fieldsOf(form, "header").forEach(function (item) { if (item[1] !== "") { headers[item[0]] = item[1]; } });
    var body = null;
    var textarea = form.elements.body;
    var formBody = form.querySelector("[data-form-body]");
    var canHaveBody = method !== "GET" && method !== "HEAD";
    if (textarea && canHaveBody && textarea.value.trim() !== "") {
      try { JSON.parse(textarea.value); } catch (e) { throw new Error("The body is not valid JSON: " + e.message); }
      body = textarea.value;
      headers["Content-Type"] = textarea.dataset.bodyMedia || "application/json";
    } else if (formBody && canHaveBody) {
      if (formBody.dataset.formBody === "multipart/form-data") {
        body = new FormData();
        Array.prototype.forEach.call(form.elements, function (element) {
          if (element.name && element.name.indexOf("file.") === 0 && element.files && element.files[0]) {
            body.append(element.name.slice(5), element.files[0]);
          }
        });
      } else {
        body = new URLSearchParams();
      }
      fieldsOf(form, "form").forEach(function (item) { if (item[1] !== "") { body.append(item[0], item[1]); } });
    }
    var url = path + (query.toString() ? "?" + query.toString() : "");
    return { method: method, url: url, headers: headers, body: body };
  }

  function getToken(form) {
    var clientId = form.querySelector("[data-client-id]").value.trim();
    var secret = form.querySelector("[data-client-secret]").value;
    if (!clientId || !secret) {
      return Promise.reject(new Error("Type the client's id and secret to send as a client"));
    }
    var params = new URLSearchParams();
    params.append("grant_type", "client_credentials");
    params.append("client_id", clientId);
    params.append("client_secret", secret);
    return fetch(TOKEN_PATH, {
      method: "POST", body: params, credentials: "omit", headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = JSON.parse(text); } catch (e) { data = null; }
        if (!response.ok || !data || !data.access_token) {
          var why = data && (data.error_description || data.error || data.detail) || text || response.statusText;
          throw new Error("The token request failed (" + response.status + "): " + why);
        }
        return data.access_token;
      });
    });
  }

  function send(form, op) {
    var request = buildRequest(form, op);
    var init = { method: request.method, headers: request.headers, body: request.body };
    if (credentialOf(form) === "client") {
      return getToken(form).then(function (token) {
        init.headers.Authorization = "Bearer " + token;
        init.credentials = "omit";
        return fetch(request.url, init);
      });
    }
    init.credentials = "same-origin";
    if (CSRF && request.method !== "GET" && request.method !== "HEAD") { init.headers["x-csrf-token"] = CSRF; }
    return fetch(request.url, init);
  }

  function instanceIds(op, form, response, data) {
    var ids = [];
    var add = function (value) {
      if (typeof value === "string" && value && ids.indexOf(value) === -1) { ids.push(value); }
    };
    var location = response.headers.get("location");
    var match = location ? INSTANCE_LOCATION.exec(location) : null;
    if (match) { add(decodeURIComponent(match[1])); }
    if (!op.hasAttribute("data-creates-instances") || !response.ok) { return ids; }
    var param = op.dataset.createsInstances;
    if (param) {
      var element = form.elements["path." + param];
      if (element) { add(element.value); }
      return ids;
    }
    if (data && typeof data === "object") {
      ["id", "processInstanceId", "instanceId"].forEach(function (key) { add(data[key]); });
      if (Array.isArray(data.items)) {
        data.items.forEach(function (item) {
          if (item && item.started !== false) { add(item.processInstanceId || item.instanceId); }
        });
      }
    }
    return ids;
  }

  function showResult(form, op, response, text) {
    var result = form.parentElement.querySelector("[data-result]");
    result.hidden = false;
    result.querySelector("[data-result-status]").textContent =
      "Status " + response.status + (response.statusText ? " " + response.statusText : "");
    var list = result.querySelector("[data-result-headers]");
    list.textContent = "";
    HEADERS_SHOWN.forEach(function (name) {
      var value = response.headers.get(name);
      if (value === null) { return; }
      var dt = document.createElement("dt");
      dt.textContent = name;
      var dd = document.createElement("dd");
      dd.textContent = value;
      list.appendChild(dt);
      list.appendChild(dd);
    });
    var data = null;
    var shown = text;
    if ((response.headers.get("content-type") || "").indexOf("json") !== -1) {
      try { data = JSON.parse(text); shown = JSON.stringify(data, null, 2); } catch (e) { data = null; }
    }
    result.querySelector("[data-result-body]").textContent = shown || "(no body)";
    var links = result.querySelector("[data-result-links]");
    links.textContent = "";
    var ids = instanceIds(op, form, response, data);
    links.hidden = ids.length === 0;
    if (ids.length) {
      links.appendChild(document.createTextNode(ids.length === 1 ? "Created instance: " : "Instances: "));
      ids.forEach(function (id, index) {
        if (index) { links.appendChild(document.createTextNode(", ")); }
        var link = document.createElement("a");
        link.href = "/console/instances/" + encodeURIComponent(id);
        link.textContent = id;
        link.setAttribute("data-instance-link", "");
        links.appendChild(link);
      });
    }
  }

  function showError(form, message) {
    var result = form.parentElement.querySelector("[data-result]");
    result.hidden = false;
    result.querySelector("[data-result-status]").textContent = message;
    result.querySelector("[data-result-headers]").textContent = "";
    result.querySelector("[data-result-body]").textContent = "";
    result.querySelector("[data-result-links]").hidden = true;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-try")) { return; }
    event.preventDefault();
    var op = form.closest("details.operation");
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    var done = function () { button.disabled = false; };
    var sending;
    try { sending = send(form, op); } catch (e) { showError(form, e.message); done(); return; }
    sending.then(function (response) {
      return response.text().then(function (text) { showResult(form, op, response, text); });
    }).catch(function (error) {
      showError(form, error.message || String(error));
    }).then(done);
  });

  // --- code tabs -------------------------------------------------------------------------------
  function selectTab(tab, focus) {
    var list = tab.parentElement;
    list.querySelectorAll('[role="tab"]').forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
    });
    if (focus) { tab.focus(); }
  }
  document.addEventListener("click", function (event) {
    var tab = event.target.closest ? event.target.closest('[role="tab"]') : null;
    if (tab && tab.closest("[data-code-tabs]")) { selectTab(tab, false); }
  });
  document.addEventListener("keydown", function (event) {
    var tab = event.target;
    if (!tab.getAttribute || tab.getAttribute("role") !== "tab" || !tab.closest("[data-code-tabs]")) { return; }
    var tabs = Array.prototype.slice.call(tab.parentElement.querySelectorAll('[role="tab"]'));
    var index = tabs.indexOf(tab);
    var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) { return; }
    event.preventDefault();
    selectTab(tabs[(next + tabs.length) % tabs.length], true);
  });

  // --- code for what the form holds (generated on the server, GET /console/api/code) ----------
  function codeQuery(form, op, target) {
    var params = new URLSearchParams();
    params.append("operation", op.dataset.operation);
    params.append("target", target);
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.hasAttribute("data-secret")) { return; }
      var kind = element.name.split(".")[0];
      if (element.type === "file") {
        params.append(element.name, element.files && element.files[0] ? element.files[0].name : "");
      } else if (["path", "query", "header", "form"].indexOf(kind) !== -1 || element.name === "body") {
        params.append(element.name, element.value);
      }
    });
    if (credentialOf(form) === "client") {
      var clientId = form.querySelector("[data-client-id]").value.trim();
      if (clientId) { params.append("client_id", clientId); }
    }
    return params.toString();
  }

  var timers = new WeakMap();
  var rounds = new WeakMap();
  function refreshCode(form) {
    var op = form.closest("details.operation");
    var round = (rounds.get(form) || 0) + 1;
    rounds.set(form, round);
    var status = op.querySelector("[data-code-status]");
    var codes = op.querySelectorAll("[data-code]");
    var failures = [];
    var pending = codes.length;
    codes.forEach(function (code) {
      fetch("/console/api/code?" + codeQuery(form, op, code.dataset.code), { credentials: "same-origin" })
        .then(function (response) {
          return response.text().then(function (text) {
            if (rounds.get(form) !== round) { return; }
            if (response.ok && (response.headers.get("content-type") || "").indexOf("text/plain") === 0) {
              code.textContent = text;
            } else {
              failures.push(response.headers.get("content-type") && response.headers.get("content-type").indexOf("text/plain") === 0
                ? text : "The code could not be generated (" + response.status + ")");
            }
          });
        })
        .catch(function () { failures.push("The code could not be generated (no answer)"); })
        .then(function () {
          pending -= 1;
          if (pending === 0 && rounds.get(form) === round) {
            status.textContent = failures.length ? failures[0] : "The code shows the values of the form.";
          }
        });
    });
  }
  function scheduleCode(event) {
    var form = event.target.form;
    if (!form || !form.hasAttribute("data-try") || event.target.hasAttribute("data-client-secret")) { return; }
    clearTimeout(timers.get(form));
    timers.set(form, setTimeout(function () { refreshCode(form); }, 300));
  }
  document.addEventListener("input", scheduleCode);
  document.addEventListener("change", scheduleCode);
})();
