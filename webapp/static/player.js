// The persistent player and boosted navigation's aftercare. No eval, no inline handlers.
// The player (listening/partials/player.html) sits outside <main>, which boosted links
// swap, so one <audio> plays on across pages. The queue lives in sessionStorage, so a
// reload of the tab keeps it. Without JavaScript none of this runs and each card's own
// <audio> plays.
(function () {
  "use strict";

  var STORE = "soundstage-player";
  var COUNT_SECONDS = 3;
  var COUNT_SHARE = 0.3;
  var SAVE_EVERY_MS = 1000;

  var player = document.getElementById("player");
  if (!player) {
    return;
  }
  // Made here, not in the markup: pages name an <audio> only for a track they show.
  var audio = document.createElement("audio");
  audio.id = "player-audio";
  audio.preload = "none";
  player.append(audio);
  var toggle = document.getElementById("player-toggle");
  var previous = document.getElementById("player-previous");
  var next = document.getElementById("player-next");
  var seek = document.getElementById("player-seek");
  var timeText = document.getElementById("player-time");
  var durationText = document.getElementById("player-duration");
  var titleLink = document.getElementById("player-title");
  var artistText = document.getElementById("player-artist");
  var cover = document.getElementById("player-cover");
  var help = document.getElementById("player-help");
  var helpOpen = document.getElementById("player-help-open");

  var queue = [];
  var index = -1;
  var listened = 0;
  var lastTime = 0;
  var reported = false;
  var lastSave = 0;

  function clock(seconds) {
    // Seconds as m:ss.
    var whole = Math.max(0, Math.floor(seconds || 0));
    var rest = whole % 60;
    return Math.floor(whole / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function announce(message) {
    // app.js speaks "status-announced" through the page's status region.
    document.dispatchEvent(new CustomEvent("status-announced", { detail: { message: message } }));
  }

  function trackOf(button) {
    // A card button's track, as the queue stores it.
    var data = button.dataset;
    return {
      id: data.play, src: data.src, title: data.title, artist: data.artist,
      cover: data.cover, page: data.page, duration: parseFloat(data.duration) || 0
    };
  }

  function listOf(button) {
    // The list a card sits in: its [data-queue] region, else the whole page, in order.
    var region = button.closest("[data-queue]") || document.getElementById("main") || document;
    var seen = {};
    var tracks = [];
    region.querySelectorAll("button[data-play]").forEach(function (each) {
      if (!seen[each.dataset.play]) {
        seen[each.dataset.play] = true;
        tracks.push(trackOf(each));
      }
    });
    return tracks;
  }

  function current() {
    // The queue's current track, or null.
    return index >= 0 && index < queue.length ? queue[index] : null;
  }

  function save() {
    // Keep the queue and the position for the next page load of this tab.
    try {
      sessionStorage.setItem(STORE, JSON.stringify({
        queue: queue, index: index, position: audio.currentTime || 0, playing: !audio.paused
      }));
    } catch (error) {
      // Storage full or refused: the player still works, it only forgets on reload.
    }
  }

  function markCards() {
    // The cards of the current track say so (for sight; their names stay the same).
    var track = current();
    document.querySelectorAll("button[data-play]").forEach(function (button) {
      if (track && button.dataset.play === track.id) {
        button.setAttribute("aria-current", "true");
      } else {
        button.removeAttribute("aria-current");
      }
    });
  }

  function showControls() {
    // Play or Pause, by the audio's real state; Previous and Next by the queue.
    var playing = !audio.paused && !audio.ended;
    toggle.textContent = playing ? "Pause" : "Play";
    // aria-disabled, not disabled: a button that disables itself would drop keyboard focus.
    previous.setAttribute("aria-disabled", String(index <= 0 && !(audio.currentTime > 3)));
    next.setAttribute("aria-disabled", String(index >= queue.length - 1));
  }

  function showTime() {
    // The slider and the clock follow the audio.
    var duration = isFinite(audio.duration) && audio.duration > 0 ? audio.duration
      : (current() ? current().duration : 0);
    seek.max = String(Math.ceil(duration));
    seek.value = String(Math.floor(audio.currentTime || 0));
    seek.setAttribute("aria-valuetext", clock(audio.currentTime) + " of " + clock(duration));
    timeText.textContent = clock(audio.currentTime);
    durationText.textContent = clock(duration);
    if (duration && "mediaSession" in navigator && navigator.mediaSession.setPositionState) {
      navigator.mediaSession.setPositionState({
        duration: duration, position: Math.min(audio.currentTime || 0, duration),
        playbackRate: audio.playbackRate || 1
      });
    }
  }

  function describe(track) {
    // Title, artist and cover in the bar and on the lock screen.
    titleLink.textContent = track.title;
    titleLink.href = track.page;
    artistText.textContent = "by " + track.artist;
    cover.src = track.cover;
    if ("mediaSession" in navigator && window.MediaMetadata) {
      navigator.mediaSession.metadata = new MediaMetadata({
        title: track.title, artist: track.artist, album: "Soundstage",
        artwork: [{ src: new URL(track.cover, location.href).href, sizes: "512x512" }]
      });
    }
  }

  function load(position, options) {
    // Make queue[position] the current track; optionally start at `at` seconds and play.
    var track = queue[position];
    if (!track) {
      return;
    }
    var same = current() && current().id === track.id && audio.getAttribute("src") === track.src;
    index = position;
    if (!same) {
      audio.src = track.src;
      listened = 0;
      lastTime = 0;
      reported = false;
    }
    describe(track);
    player.hidden = false;
    document.body.classList.add("has-player");
    if (options.at) {
      seekTo(options.at);
    }
    markCards();
    showControls();
    showTime();
    if (options.play) {
      audio.play().catch(function () {
        showControls();
      });
    }
    save();
  }

  function seekTo(seconds) {
    // Move the position, once the audio can (before its metadata, after it arrives).
    if (audio.readyState >= 1) {
      audio.currentTime = seconds;
    } else {
      audio.addEventListener("loadedmetadata", function () {
        audio.currentTime = seconds;
      }, { once: true });
      audio.preload = "metadata";
      audio.load();
    }
    lastTime = seconds;
  }

  function playFrom(button, at) {
    // A card's button: its list becomes the queue, its track plays (from `at` seconds).
    var track = trackOf(button);
    if (current() && current().id === track.id && at === undefined) {
      if (audio.paused) {
        audio.play();
      }
      return;
    }
    queue = listOf(button);
    var position = queue.findIndex(function (each) { return each.id === track.id; });
    load(position < 0 ? 0 : position, { play: true, at: at });
    // Focus stays on the card: say what the player now plays.
    announce("Playing “" + track.title + "” by " + track.artist + ", " + (position + 1) + " of " + queue.length);
  }

  function step(delta) {
    // Next or Previous; Previous first rewinds a track that has played a while.
    if (delta < 0 && audio.currentTime > 3) {
      audio.currentTime = 0;
      return;
    }
    if (index + delta >= 0 && index + delta < queue.length) {
      load(index + delta, { play: true });
      announce("Playing “" + current().title + "” by " + current().artist);
    }
  }

  function togglePlay() {
    // Space, the Play/Pause button and the media keys.
    if (!current()) {
      return;
    }
    if (audio.paused) {
      audio.play();
    } else {
      audio.pause();
    }
  }

  function csrfToken() {
    // The token htmx sends, from the body's hx-headers.
    try {
      return JSON.parse(document.body.getAttribute("hx-headers:inherited") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function countPlay(track) {
    // The server counts it at most once per listener and hour, and never the owner's.
    fetch(player.dataset.playsUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
      body: "release_id=" + encodeURIComponent(track.id)
    }).then(function () {
      // Pages showing the count re-check it (an unchanged count answers 304).
      document.dispatchEvent(new CustomEvent("play-counted", { detail: { id: track.id } }));
    }).catch(function () {
      // A lost report loses one count, never the music.
    });
  }

  audio.addEventListener("timeupdate", function () {
    var delta = audio.currentTime - lastTime;
    lastTime = audio.currentTime;
    // Only time actually heard counts: seeking jumps further than one tick.
    if (!audio.paused && delta > 0 && delta < 2) {
      listened += delta;
    }
    var duration = isFinite(audio.duration) ? audio.duration : 0;
    if (!reported && current() && (listened >= COUNT_SECONDS || (duration && listened >= duration * COUNT_SHARE))) {
      reported = true;
      countPlay(current());
    }
    showTime();
    if (Date.now() - lastSave > SAVE_EVERY_MS) {
      lastSave = Date.now();
      save();
    }
  });
  audio.addEventListener("loadedmetadata", showTime);
  audio.addEventListener("play", function () { showControls(); save(); });
  audio.addEventListener("pause", function () { showControls(); save(); });
  audio.addEventListener("ended", function () {
    if (index < queue.length - 1) {
      load(index + 1, { play: true });
    } else {
      showControls();
    }
  });

  toggle.addEventListener("click", togglePlay);
  previous.addEventListener("click", function () { step(-1); });
  next.addEventListener("click", function () { step(1); });
  seek.addEventListener("input", function () {
    audio.currentTime = parseFloat(seek.value) || 0;
    lastTime = audio.currentTime;
  });
  helpOpen.addEventListener("click", function () { help.showModal(); });

  // One track at a time: another <audio> that starts hands its track to the player, or,
  // with no track for the player (a library item), plays alone (cards keep their own
  // players for pages without JavaScript).
  document.addEventListener("play", function (event) {
    var started = event.target;
    if (started.tagName !== "AUDIO") {
      return;
    }
    document.querySelectorAll("audio").forEach(function (each) {
      if (each !== started && !each.paused) {
        each.pause();
      }
    });
    if (started === audio) {
      return;
    }
    var holder = started.closest("article, .release-page");
    var button = holder && holder.querySelector("button[data-play]");
    if (button) {
      started.pause();
      playFrom(button, started.currentTime || 0);
    }
  }, true);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-play]");
    if (button) {
      event.preventDefault();
      playFrom(button);
      return;
    }
    var wave = event.target.closest && event.target.closest("img[data-seek-release]");
    if (wave) {
      var share = Math.min(1, Math.max(0, event.offsetX / wave.clientWidth));
      var id = wave.dataset.seekRelease;
      if (current() && current().id === id && isFinite(audio.duration)) {
        audio.currentTime = share * audio.duration;
        lastTime = audio.currentTime;
        if (audio.paused) {
          audio.play();
        }
        return;
      }
      var card = document.querySelector('button[data-play="' + CSS.escape(id) + '"]');
      if (card) {
        playFrom(card, share * (parseFloat(card.dataset.duration) || 0));
      }
      return;
    }
    var shareButton = event.target.closest && event.target.closest("button[data-share]");
    if (shareButton) {
      var url = shareButton.dataset.share;
      if (navigator.share) {
        navigator.share({ title: shareButton.dataset.shareTitle, url: url }).catch(function () {});
      } else if (navigator.clipboard) {
        navigator.clipboard.writeText(url).then(function () {
          announce("Link copied: " + url);
        }, function () {
          announce("Copy this link: " + url);
        });
      } else {
        announce("Copy this link: " + url);
      }
    }
  });

  function typing(target) {
    // Keys belong to fields and controls while they have focus.
    return target.closest && target.closest("input, textarea, select, button, a, summary, audio, video, [contenteditable], dialog");
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    if (event.key === " " && current()) {
      event.preventDefault();
      togglePlay();
    } else if (event.key === "N" && event.shiftKey) {
      step(1);
    } else if (event.key === "P" && event.shiftKey) {
      step(-1);
    } else if (event.key === "?") {
      help.showModal();
    }
  });

  if ("mediaSession" in navigator) {
    var actions = {
      play: function () { audio.play(); },
      pause: function () { audio.pause(); },
      previoustrack: function () { step(-1); },
      nexttrack: function () { step(1); },
      seekbackward: function () { audio.currentTime = Math.max(0, audio.currentTime - 10); },
      seekforward: function () { audio.currentTime = audio.currentTime + 10; },
      seekto: function (details) { audio.currentTime = details.seekTime; }
    };
    Object.keys(actions).forEach(function (name) {
      try {
        navigator.mediaSession.setActionHandler(name, actions[name]);
      } catch (error) {
        // This browser does not know that action.
      }
    });
  }

  // After a boosted navigation or a history restore swapped <main>: start at the top,
  // move focus to the new page's heading (screen readers read it), update the nav.
  document.addEventListener("htmx:after:swap", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var target = ctx && ctx.target;
    // A refreshed feed or grid brings cards without the "current track" mark.
    markCards();
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
      if (here && !link.classList.contains("brand")) {
        link.setAttribute("aria-current", "page");
      } else {
        link.removeAttribute("aria-current");
      }
    });
  });

  window.addEventListener("pagehide", save);

  // A reload (or a plain page load in this tab) picks the queue up where it was.
  try {
    var saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
    if (saved && saved.queue && saved.queue.length) {
      queue = saved.queue;
      load(Math.min(Math.max(saved.index, 0), queue.length - 1), {
        play: saved.playing, at: saved.position
      });
    }
  } catch (error) {
    sessionStorage.removeItem(STORE);
  }
})();
