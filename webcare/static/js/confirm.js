// A form that does what cannot be undone (merge two tickets, delete a rule) asks first:
// <form data-confirm="question">. Without JavaScript the form simply submits.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);
})();
