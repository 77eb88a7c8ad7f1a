// Disclosures: the phone's Menu and the account menu (a button with aria-expanded that shows
// the element it controls). Escape or a click elsewhere closes them; a boosted navigation too.
// Without JavaScript these buttons are hidden and plain links lead to the menu page.
(function () {
  "use strict";

  function panelOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function setOpen(button, open) {
    // Show or hide the controlled element; the button says which.
    var panel = panelOf(button);
    if (!panel) {
      return;
    }
    button.setAttribute("aria-expanded", open ? "true" : "false");
    panel.classList.toggle("is-open", open);
  }

  function closeAll(except) {
    // Every open disclosure but `except` (and those holding it) closes.
    document.querySelectorAll("[data-disclosure][aria-expanded='true']").forEach(function (button) {
      var panel = panelOf(button);
      if (button !== except && !(panel && except && panel.contains(except))) {
        setOpen(button, false);
      }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-disclosure]");
    if (button) {
      var open = button.getAttribute("aria-expanded") !== "true";
      closeAll(button);
      setOpen(button, open);
      return;
    }
    var inside = event.target.closest && event.target.closest(".is-open");
    if (!inside || (event.target.closest && event.target.closest("a"))) {
      closeAll(null);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.querySelectorAll("[data-disclosure][aria-expanded='true']");
    if (!open.length) {
      return;
    }
    var last = open[open.length - 1];
    var panel = panelOf(last);
    var focusInside = panel && panel.contains(document.activeElement);
    setOpen(last, false);
    if (focusInside || document.activeElement === last) {
      last.focus();
    }
    event.preventDefault();
  });

  // A boosted navigation swapped <main>: the menus it was chosen from close.
  document.addEventListener("htmx:after:swap", function (event) {
    var target = event.detail && event.detail.ctx && event.detail.ctx.target;
    if (target && target.id === "main") {
      closeAll(null);
    }
  });
})();

// After a boosted navigation or a history restore swapped <main>: start at the top, move
// focus to the new page's heading (screen readers read it), mark the current nav link.
(function () {
  "use strict";

  document.addEventListener("htmx:after:swap", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var target = ctx && ctx.target;
    if (!target || target.id !== "main") {
      return;
    }
    var main = document.getElementById("main");
    var heading = main.querySelector("h1") || main;
    if (!heading.hasAttribute("tabindex")) {
      heading.setAttribute("tabindex", "-1");
    }
    window.scrollTo(0, 0);
    heading.focus({ preventScroll: true });
    document.querySelectorAll(".site-header nav a").forEach(function (link) {
      var path = link.pathname;
      var here = path !== "/" && (location.pathname === path || location.pathname.indexOf(path + "/") === 0);
      if (here) {
        link.setAttribute("aria-current", "page");
      } else {
        link.removeAttribute("aria-current");
      }
    });
  });
})();
