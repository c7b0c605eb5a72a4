// The channel form shows the fields and help of the chosen platform only (data-platforms="x linkedin ...").
// Without JavaScript every platform's part stays visible.
(function () {
  "use strict";
  var form = document.querySelector("form.channel-form");
  var select = form && form.querySelector('select[name="platform"]');
  if (!select) { return; }
  function show() {
    form.querySelectorAll("[data-platforms]").forEach(function (part) {
      part.hidden = part.getAttribute("data-platforms").split(" ").indexOf(select.value) < 0;
    });
  }
  select.addEventListener("change", show);
  show();
})();
