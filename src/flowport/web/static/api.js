// The console's API page: filter the operations, send test requests, switch and refresh the code.
// Everything the server or a response says is inserted with textContent, never as HTML.
// The page carries no code and no "Send as" part: an operation gets them when it is first opened
// (the code from GET /console/api/code/all, one request for every target).
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

  // --- an operation gets its send part, result area, code tabs and code when first opened -------
  function cloneFor(op, templateId) {
    var template = document.getElementById(templateId);
    var fragment = template.content.cloneNode(true);
    ["id", "for", "aria-describedby", "aria-labelledby"].forEach(function (name) {
      fragment.querySelectorAll("[" + name + "]").forEach(function (element) {
        element.setAttribute(name, element.getAttribute(name).replace(/^OP-/, op.id + "-"));
      });
    });
    return fragment;
  }

  function make(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function buildTabs(op) {
    var box = op.querySelector("[data-code-tabs]");
    var links = box.querySelector(".code-links");
    var list = make("div", { role: "tablist", "aria-label": "Code for " + op.dataset.method + " " + op.dataset.path });
    var panels = [];
    box.querySelectorAll(".code-links a").forEach(function (link, index) {
      var target = new URL(link.href).searchParams.get("target");
      link.setAttribute("data-target", target);
      var label = link.textContent;
      var tabId = op.id + "-tab-" + target;
      var panelId = op.id + "-panel-" + target;
      var codeId = op.id + "-code-" + target;
      list.appendChild(make("button", {
        type: "button", role: "tab", "class": "tab", id: tabId, "aria-controls": panelId,
        "aria-selected": index === 0 ? "true" : "false", tabindex: index === 0 ? "0" : "-1", "data-target": target
      }, label));
      var panel = make("div", { role: "tabpanel", "class": "code-panel", id: panelId, "aria-labelledby": tabId });
      panel.hidden = index !== 0;
      panel.appendChild(make("button", { type: "button", "class": "secondary copy", "data-copy-target": codeId }, "Copy code"));
      var pre = make("pre", { tabindex: "0", "aria-label": label + " code" });
      pre.appendChild(make("code", { id: codeId, "data-code": target }, "Loading the code\u2026"));
      panel.appendChild(pre);
      panels.push(panel);
    });
    box.insertBefore(list, links);
    panels.forEach(function (panel) { box.insertBefore(panel, links); });
  }

  function prepare(op) {
    if (op.hasAttribute("data-prepared")) { return; }
    op.setAttribute("data-prepared", "");
    var form = op.querySelector("form[data-try]");
    form.appendChild(cloneFor(op, "api-send-template"));
    form.parentElement.insertBefore(cloneFor(op, "api-result-template"), form.nextSibling);
    // The client typed in another form is this form's client too.
    ["[data-client-id]", "[data-client-secret]"].forEach(function (selector) {
      var typed = Array.prototype.filter.call(document.querySelectorAll(selector), function (input) {
        return input.value !== "";
      })[0];
      if (typed) { form.querySelector(selector).value = typed.value; }
    });
    buildTabs(op);
    refreshCode(form);
  }

  operations.forEach(function (op) {
    op.addEventListener("toggle", function () { if (op.open) { prepare(op); } });
  });

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
    params.append("operation", op.id);
    if (target) { params.append("target", target); }
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
    var current = function () { return rounds.get(form) === round; };
    fetch("/console/api/code/all?" + codeQuery(form, op), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.text().then(function (text) {
          if (!current()) { return; }
          var data = null;
          if ((response.headers.get("content-type") || "").indexOf("application/json") === 0) {
            try { data = JSON.parse(text); } catch (e) { data = null; }
          }
          if (!response.ok || !data || !Array.isArray(data.snippets)) {
            status.textContent = data && data.detail ? data.detail : "The code could not be generated (" + response.status + ")";
            return;
          }
          data.snippets.forEach(function (snippet) {
            var code = op.querySelector('[data-code="' + snippet.target + '"]');
            if (code) { code.textContent = snippet.code; }
          });
          op.querySelectorAll(".code-links a[data-target]").forEach(function (link) {
            link.href = "/console/api/code?" + codeQuery(form, op, link.dataset.target);
          });
          status.textContent = round === 1 ? "" : "The code shows the values of the form.";
        });
      })
      .catch(function () { if (current()) { status.textContent = "The code could not be generated (no answer)"; } });
  }
  function scheduleCode(event) {
    var form = event.target.form;
    if (!form || !form.hasAttribute("data-try") || event.target.hasAttribute("data-client-secret")) { return; }
    clearTimeout(timers.get(form));
    timers.set(form, setTimeout(function () { refreshCode(form); }, 300));
  }
  document.addEventListener("input", scheduleCode);
  document.addEventListener("change", scheduleCode);

  operations.forEach(function (op) { if (op.open) { prepare(op); } });
  openFromHash();
})();
