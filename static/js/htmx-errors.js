// What every htmx request does when it fails, on every page. A 4xx answer with a fragment is the acting
// form again, with its errors at the fields and what was typed: it is swapped in like a success, and its
// first field marked aria-invalid gets the focus. Any other failure (a
// refusal or error page, a server error, no connection) shows a message next to the element that acted;
// the next successful request of that element removes it, and a form's data-error-prefix goes before it.
// A whole page where a fragment was expected (the login page after a redirect, an error page) is never
// swapped in. The messages come translated from the script tag's data- attributes (templates/base.html).
(function () {
  "use strict";

  var messages = document.currentScript.dataset;
  var MARK = "data-request-error";
  var shown = new WeakMap(); // element that acted -> its message

  function isFragment(body) {
    return !/<html[\s>]/i.test(body);
  }

  function messageFor(status) {
    if (!status) {
      return messages.offline;
    }
    return status >= 500 ? messages.failed : messages.refused;
  }

  function placeOf(elt) {
    return (elt.closest && elt.closest("form")) || elt;
  }

  function remove(elt) {
    var alert = shown.get(elt);
    if (alert) {
      alert.remove();
      shown.delete(elt);
    }
  }

  function show(elt, target, text) {
    var place = placeOf(elt);
    if (place.dataset && place.dataset.errorPrefix) {
      text = place.dataset.errorPrefix + " " + text;
    }
    var alert = shown.get(elt);
    if (alert && alert.isConnected && alert.textContent === text) {
      return; // a poll that keeps failing: announced once
    }
    remove(elt);
    alert = document.createElement("div");
    alert.setAttribute(MARK, "");
    alert.setAttribute("role", "alert");
    alert.className = "alert alert-danger py-2 px-3 my-2 small";
    alert.textContent = text;
    if (target && target !== place && place.contains(target)) {
      target.replaceChildren(alert); // the form's own status line (the casus autosave)
    } else if (place.tagName === "FORM") {
      place.appendChild(alert);
    } else {
      place.prepend(alert);
    }
    shown.set(elt, alert);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var status = detail.xhr.status;
    var fragment = isFragment(detail.serverResponse || "");
    if (status < 400 && (fragment || detail.target === document.body)) {
      return;
    }
    var formAgain = status < 500 && fragment && (detail.serverResponse || "").trim() !== "";
    detail.shouldSwap = formAgain;
    if (!formAgain) {
      detail.isError = true; // also for a whole page answered 200: not a success that clears the message
      // detail.elt is the target here (the event is fired on it); the element that acted is the request's
      show(detail.requestConfig.elt, detail.target, messageFor(status));
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.target;
    if (event.detail.xhr.status < 400 || !swapped.querySelector) {
      return;
    }
    var invalid = swapped.matches("[aria-invalid=true]") ? swapped : swapped.querySelector("[aria-invalid=true]");
    if (invalid) {
      invalid.focus(); // its label and error (aria-describedby) are read out
    }
  });

  // A field kept across swaps (data-hx-preserve, the advice being typed) can outlive its error: once the
  // message it is described by is gone, it is no longer marked invalid.
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("[aria-invalid=true][aria-describedby]").forEach(function (field) {
      if (!document.getElementById(field.getAttribute("aria-describedby"))) {
        field.removeAttribute("aria-invalid");
        field.removeAttribute("aria-describedby");
        field.classList.remove("is-invalid");
      }
    });
  });

  document.addEventListener("htmx:sendError", function (event) {
    show(event.detail.elt, event.detail.target, messageFor(0));
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      remove(event.detail.elt);
    }
  });
})();
