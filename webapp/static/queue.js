// The Queue panel (a dialog opened by the player's Queue button) and the cards' "Add to queue"
// and "Play next" buttons. Each queued track is a row with Move up, Move down and Remove
// buttons (keyboard and pointer alike); focus stays on the moved row's same button.
(function () {
  "use strict";

  var player = window.soundstage && window.soundstage.player;
  var panel = document.getElementById("queue-panel");
  var opener = document.getElementById("queue-open");
  var list = document.getElementById("queue-list");
  var empty = document.getElementById("queue-empty");
  if (!player || !panel) {
    return;
  }
  var sprite = opener.querySelector("use").getAttribute("href").split("#")[0];

  function icon(name) {
    // A decorative icon from the sprite.
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "icon");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var use = document.createElementNS("http://www.w3.org/2000/svg", "use");
    use.setAttribute("href", sprite + "#" + name);
    svg.append(use);
    return svg;
  }

  function button(action, name, label, title, position, disabled) {
    // A row's icon button, named by text: "Move “Title” up".
    var made = document.createElement("button");
    made.type = "button";
    made.className = "icon-button";
    made.dataset.queueAction = action;
    made.dataset.position = String(position);
    if (disabled) {
      made.setAttribute("aria-disabled", "true");
    }
    var text = document.createElement("span");
    text.className = "visually-hidden";
    text.textContent = label.replace("%s", "“" + title + "”");
    made.append(icon(name), text);
    return made;
  }

  function draw() {
    // The list, in order, the current track marked.
    var tracks = player.tracks();
    var here = player.position();
    var focused = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.queueAction : null;
    var row = document.createDocumentFragment();
    tracks.forEach(function (track, position) {
      var item = document.createElement("li");
      item.className = "queue-item";
      if (position === here) {
        item.setAttribute("aria-current", "true");
      }
      var about = document.createElement("button");
      about.type = "button";
      about.className = "queue-track";
      about.dataset.queueAction = "jump";
      about.dataset.position = String(position);
      var title = document.createElement("strong");
      title.textContent = track.title;
      var artist = document.createElement("span");
      artist.textContent = track.artist + (position === here ? " · now playing" : "");
      about.append(title, artist);
      var tools = document.createElement("span");
      tools.className = "queue-item-tools";
      tools.append(
        button("up", "arrow-up", "Move %s up", track.title, position, position === 0),
        button("down", "arrow-down", "Move %s down", track.title, position, position === tracks.length - 1),
        button("remove", "x", "Remove %s", track.title, position, false)
      );
      item.append(about, tools);
      row.append(item);
    });
    list.replaceChildren(row);
    empty.hidden = tracks.length > 0;
    return focused;
  }

  function refocus(action, position) {
    // After a move, the same button of the moved row keeps focus.
    var target = list.querySelector('[data-queue-action="' + action + '"][data-position="' + position + '"]')
      || list.querySelector("[data-queue-action]") || panel.querySelector("h2");
    if (target) {
      target.focus();
    }
  }

  opener.addEventListener("click", function () {
    draw();
    panel.showModal();
  });
  document.getElementById("queue-clear").addEventListener("click", function () {
    player.clear();
    player.say("Queue cleared");
  });

  list.addEventListener("click", function (event) {
    var target = event.target.closest("[data-queue-action]");
    if (!target || target.getAttribute("aria-disabled") === "true") {
      return;
    }
    var position = parseInt(target.dataset.position, 10);
    var action = target.dataset.queueAction;
    var track = player.tracks()[position];
    if (action === "jump") {
      player.jump(position);
      refocus("jump", position);
    } else if (action === "up" || action === "down") {
      var delta = action === "up" ? -1 : 1;
      player.move(position, delta);
      refocus(action, position + delta);
      player.say("“" + track.title + "” moved to " + (position + delta + 1) + " of " + player.tracks().length);
    } else if (action === "remove") {
      player.remove(position);
      refocus("remove", Math.min(position, player.tracks().length - 1));
      player.say("“" + track.title + "” removed from the queue");
    }
  });

  document.addEventListener("queue-changed", function () {
    if (panel.open) {
      draw();
    }
  });

  // The cards' buttons: a track joins the queue at the end, or right after the current one.
  document.addEventListener("click", function (event) {
    var card = event.target.closest && event.target.closest("button[data-enqueue]");
    if (!card) {
      return;
    }
    var holder = card.closest("[data-track]");
    var source = holder && holder.querySelector("button[data-play]");
    if (!source) {
      return;
    }
    var track = player.trackOf(source);
    var soon = card.dataset.enqueue === "next";
    player.add(track, soon);
    player.say("“" + track.title + "” " + (soon ? "plays next" : "added to the queue"));
  });
})();
