// The script every page runs (one file, to keep the first load small). No eval, no inline
// handlers: it turns browser conditions into plain DOM events that htmx triggers listen for,
// loads the player and the Share dialog on first use, and (last part) opens the menus.
(function () {
  "use strict";

  // Trigger filters need eval, so "the tab became visible" is its own event.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      document.dispatchEvent(new CustomEvent("page-visible"));
    }
  });

  // A page restored from the back/forward cache may be stale: re-check it.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.dispatchEvent(new CustomEvent("resync"));
    }
  });

  // A region is busy while a request someone asked for (a click or a form) refreshes it.
  // Background checks (tab shown, focus, live events, timers) stay silent.
  var pending = 0;
  document.addEventListener("htmx:before:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var target = ctx && ctx.target;
    var cause = ctx && ctx.sourceEvent && ctx.sourceEvent.type;
    if (target && target.setAttribute && (cause === "submit" || cause === "click")) {
      target.setAttribute("aria-busy", "true");
      pending += 1;
    }
  });
  document.addEventListener("htmx:finally:request", function (event) {
    var target = event.detail && event.detail.ctx && event.detail.ctx.target;
    if (target && target.getAttribute && target.getAttribute("aria-busy") === "true") {
      target.removeAttribute("aria-busy");
      pending = Math.max(0, pending - 1);
    }
  });

  // A like shows at once (optimistic); the server's answer then replaces the form with the truth.
  document.addEventListener("htmx:before:request", function (event) {
    var form = event.target;
    if (!form || !form.classList || !form.classList.contains("like-form")) {
      return;
    }
    var button = form.querySelector("button[aria-pressed]");
    var count = form.querySelector("[data-like-count]");
    if (!button || !count) {
      return;
    }
    var pressed = button.getAttribute("aria-pressed") !== "true";
    var total = Math.max(0, parseInt(count.getAttribute("data-like-count"), 10) + (pressed ? 1 : -1));
    button.setAttribute("aria-pressed", pressed ? "true" : "false");
    count.setAttribute("data-like-count", String(total));
    count.textContent = total + (total === 1 ? " like" : " likes");
  });

  // After the live stream reconnects, events may have been missed: re-check.
  var streamConnections = 0;
  document.addEventListener("htmx:sse:after:connection", function () {
    streamConnections += 1;
    if (streamConnections > 1) {
      document.dispatchEvent(new CustomEvent("resync"));
    }
  });

  // The account was deleted: other tabs have nothing left to show. The tab that deleted it
  // has its request under way, whose answer leads on (with the confirmation): wait for it.
  function leaveDeletedAccount() {
    if (pending > 0) {
      window.setTimeout(leaveDeletedAccount, 1000);
      return;
    }
    window.location.assign("/");
  }
  document.addEventListener("account-deleted", leaveDeletedAccount);

  // The server announces outcomes with HX-Trigger {"status-announced": {"message": "..."}}.
  document.addEventListener("status-announced", function (event) {
    var region = document.getElementById("status");
    var message = event.detail && event.detail.message;
    if (!region || !message) {
      return;
    }
    region.textContent = "";
    // A fresh text node after a tick makes screen readers announce repeats too.
    window.setTimeout(function () {
      region.textContent = message;
    }, 50);
  });

  // The player and the Share dialog load on first use, to keep them out of the first load:
  // the click that needs one waits for its script, then is sent again.
  var own = document.currentScript;
  var parts = {};
  function loadPart(name, then) {
    // Fetch one part's script once; `then` runs when it has run.
    if (parts[name] === "ready") {
      if (then) {
        then();
      }
      return;
    }
    if (!parts[name]) {
      parts[name] = [];
      var tag = document.createElement("script");
      tag.src = own.dataset[name];
      tag.addEventListener("load", function () {
        var waiting = parts[name];
        parts[name] = "ready";
        waiting.forEach(function (run) { run(); });
      });
      document.body.append(tag);
    }
    if (then) {
      parts[name].push(then);
    }
  }
  function loadQueue(then) {
    // "Add to queue" needs the player and its queue script.
    loadPart("player", function () {
      window.soundstage.player.loadExtras(function () {
        parts.queue = "ready";
        then();
      });
    });
  }
  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest(
      "button[data-play], button[data-enqueue], img[data-seek-release], button[data-share]");
    var name = target && (target.matches("button[data-share]") ? "share"
      : target.matches("button[data-enqueue]") ? "queue" : "player");
    if (!name || parts[name] === "ready") {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    (name === "queue" ? loadQueue : function (then) { loadPart(name, then); })(function () {
      target.dispatchEvent(new MouseEvent("click", {
        bubbles: true, cancelable: true, clientX: event.clientX, clientY: event.clientY
      }));
    });
  }, true);
  // A reload of a tab that was playing picks its queue up at once.
  try {
    if (sessionStorage.getItem("soundstage-player")) {
      loadPart("player");
    }
  } catch (error) {
    // No session storage: the player loads on the first play.
  }
})();

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
