// The Definitions page: an upload over the server's body limit is stopped here with a message,
// since the server would refuse it before the page could say why.
(function () {
  "use strict";
  var form = document.querySelector("form[data-max-upload-bytes]");
  if (!form) { return; }
  var limit = Number(form.dataset.maxUploadBytes);
  var problem = form.querySelector("[data-upload-problem]");
  form.addEventListener("submit", function (event) {
    var input = form.querySelector("input[type=file]");
    var total = 0;
    Array.prototype.forEach.call(input.files, function (file) { total += file.size; });
    if (total > limit) {
      event.preventDefault();
      problem.textContent = "These files are too large together (" + total + " bytes; the limit is " +
        limit + " bytes). Upload them in smaller groups.";
      problem.hidden = false;
    } else {
      problem.hidden = true;
    }
  });
})();
