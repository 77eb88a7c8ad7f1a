// The persistent player (listening/partials/player.html): one <audio> outside <main>, which
// boosted links swap, so it plays on across pages. It holds the queue (kept in sessionStorage
// for reloads of the tab), shuffle, repeat and volume, and draws the bar. queue.js, plays.js,
// media-session.js and shortcuts.js use it through window.soundstage.player and its events:
// "queue-changed" (the list or the position moved) and "track-loaded" (a new track is current).
// Without JavaScript none of this runs and each card's own <audio> (in <noscript>) plays.
(function () {
  "use strict";

  var STORE = "soundstage-player";
  var VOLUME_STORE = "soundstage-volume";
  var SAVE_EVERY_MS = 1000;

  var bar = document.getElementById("player");
  if (!bar) {
    return;
  }
  var audio = document.createElement("audio");
  audio.id = "player-audio";
  audio.preload = "none";
  bar.append(audio);
  var toggle = document.getElementById("player-toggle");
  var previous = document.getElementById("player-previous");
  var next = document.getElementById("player-next");
  var seek = document.getElementById("player-seek");
  var timeText = document.getElementById("player-time");
  var durationText = document.getElementById("player-duration");
  var titleLink = document.getElementById("player-title");
  var artistText = document.getElementById("player-artist");
  var cover = document.getElementById("player-cover");
  var mute = document.getElementById("player-mute");
  var volume = document.getElementById("player-volume");
  var status = document.getElementById("player-status");
  var sprite = toggle.querySelector("use").getAttribute("href").split("#")[0];

  var state = { queue: [], index: -1, shuffle: false, repeat: false, unshuffled: null };
  var lastSave = 0;

  function clock(seconds) {
    // Seconds as m:ss.
    var whole = Math.max(0, Math.floor(seconds || 0));
    var rest = whole % 60;
    return Math.floor(whole / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function say(message) {
    // The player's own status region: read by screen readers, never drawn over the bar.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail || {} }));
  }

  function trackOf(button) {
    // A card button's track, as the queue stores it.
    var data = button.dataset;
    return {
      id: data.play, src: data.src, title: data.title, artist: data.artist, cover: data.cover,
      page: data.page, duration: parseFloat(data.duration) || 0, release: data.release || ""
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
    return state.index >= 0 && state.index < state.queue.length ? state.queue[state.index] : null;
  }

  function save() {
    // The queue and the position, for the next page load of this tab.
    try {
      sessionStorage.setItem(STORE, JSON.stringify({
        queue: state.queue, index: state.index, shuffle: state.shuffle, repeat: state.repeat,
        unshuffled: state.unshuffled, position: audio.currentTime || 0, playing: !audio.paused
      }));
    } catch (error) {
      // Storage full or refused: the player still works, it only forgets on reload.
    }
  }

  function setIcon(button, name, label) {
    // An icon button's drawing and its (visually hidden) name.
    button.querySelector("use").setAttribute("href", sprite + "#" + name);
    button.querySelector(".visually-hidden").textContent = label;
  }

  function markCards() {
    // The cards of the current track say so (for sight; their names stay the same).
    var track = current();
    // Only what differs is touched: a re-check that changed nothing must move nothing.
    document.querySelectorAll("button[data-play]").forEach(function (button) {
      var mark = Boolean(track && button.dataset.play === track.id);
      if (mark && button.getAttribute("aria-current") !== "true") {
        button.setAttribute("aria-current", "true");
      } else if (!mark && button.hasAttribute("aria-current")) {
        button.removeAttribute("aria-current");
      }
    });
  }

  function showControls() {
    // Play or Pause by the audio's real state; Previous and Next by the queue.
    var playing = !audio.paused && !audio.ended;
    setIcon(toggle, playing ? "pause" : "play", playing ? "Pause" : "Play");
    // aria-disabled, not disabled: a button that disables itself would drop keyboard focus.
    previous.setAttribute("aria-disabled", String(state.index <= 0 && !(audio.currentTime > 3)));
    next.setAttribute("aria-disabled", String(state.index >= state.queue.length - 1 && !state.repeat));
    document.querySelectorAll("[data-action='shuffle']").forEach(function (button) {
      button.setAttribute("aria-pressed", String(state.shuffle));
    });
    document.querySelectorAll("[data-action='repeat']").forEach(function (button) {
      button.setAttribute("aria-pressed", String(state.repeat));
    });
    var silent = audio.muted || audio.volume === 0;
    setIcon(mute, silent ? "volume-x" : "volume-2", "Mute");
    mute.setAttribute("aria-pressed", String(audio.muted));
  }

  function showTime() {
    // The slider and the clock follow the audio.
    var duration = isFinite(audio.duration) && audio.duration > 0 ? audio.duration
      : (current() ? current().duration : 0);
    seek.max = String(Math.ceil(duration));
    seek.value = String(Math.floor(audio.currentTime || 0));
    seek.setAttribute("aria-valuetext", clock(audio.currentTime) + " of " + clock(duration));
    seek.style.setProperty("--progress", duration ? (100 * (audio.currentTime || 0) / duration) + "%" : "0%");
    timeText.textContent = clock(audio.currentTime);
    durationText.textContent = clock(duration);
  }

  function describe(track) {
    titleLink.textContent = track.title;
    titleLink.href = track.page;
    artistText.textContent = track.artist;
    cover.src = track.cover;
  }

  function changed() {
    // The queue or the position moved: redraw, remember, tell the other parts.
    markCards();
    showControls();
    save();
    emit("queue-changed");
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
  }

  var extrasWaiting = null;

  function loadExtras(then) {
    // The parts built on the player (queue, plays, media session, shortcuts), fetched once
    // it first shows (or a card's "Add to queue" needs them); when they have all run they
    // hear the current queue, then `then` runs.
    if (extrasWaiting === "ready") {
      if (then) {
        then();
      }
      return;
    }
    if (extrasWaiting) {
      if (then) {
        extrasWaiting.push(then);
      }
      return;
    }
    extrasWaiting = then ? [then] : [];
    var sources = (bar.dataset.extras || "").split(" ").filter(Boolean);
    var left = sources.length;
    sources.forEach(function (source) {
      var script = document.createElement("script");
      script.src = source;
      script.async = false;
      script.addEventListener("load", function () {
        left -= 1;
        if (left === 0) {
          var callbacks = extrasWaiting;
          extrasWaiting = "ready";
          emit("queue-changed");
          callbacks.forEach(function (run) { run(); });
        }
      });
      document.body.append(script);
    });
  }

  function load(position, options) {
    // Make queue[position] the current track; optionally start at `at` seconds and play.
    var track = state.queue[position];
    if (!track) {
      return;
    }
    var same = current() && current().id === track.id && audio.getAttribute("src") === track.src;
    state.index = position;
    if (!same) {
      audio.src = track.src;
      emit("track-loaded", { track: track });
    }
    describe(track);
    bar.hidden = false;
    document.body.classList.add("has-player");
    loadExtras();
    if (options.at) {
      seekTo(options.at);
    }
    showTime();
    if (options.play) {
      audio.play().catch(showControls);
    }
    changed();
  }

  function playFrom(button, at) {
    // A card's play button: its list becomes the queue, its track plays (from `at` seconds).
    var track = trackOf(button);
    if (current() && current().id === track.id && at === undefined) {
      if (audio.paused) {
        audio.play();
      }
      return;
    }
    state.queue = listOf(button);
    state.unshuffled = null;
    state.shuffle = false;
    var position = state.queue.findIndex(function (each) { return each.id === track.id; });
    load(position < 0 ? 0 : position, { play: true, at: at });
    // Focus stays on the card: say what the player now plays.
    say("Playing “" + track.title + "” by " + track.artist + ", " + (position + 1) + " of " + state.queue.length);
  }

  function step(delta) {
    // Next or Previous; Previous first rewinds a track that has played a while; Repeat wraps.
    if (delta < 0 && audio.currentTime > 3) {
      audio.currentTime = 0;
      return;
    }
    var target = state.index + delta;
    if (state.repeat && state.queue.length) {
      target = (target + state.queue.length) % state.queue.length;
    }
    if (target >= 0 && target < state.queue.length) {
      load(target, { play: true });
      say("Playing “" + current().title + "” by " + current().artist);
    }
  }

  function togglePlay() {
    if (!current()) {
      return;
    }
    if (audio.paused) {
      audio.play();
    } else {
      audio.pause();
    }
  }

  function shuffled(tracks) {
    // A random order (Fisher–Yates).
    var copy = tracks.slice();
    for (var i = copy.length - 1; i > 0; i -= 1) {
      var j = Math.floor(Math.random() * (i + 1));
      var swap = copy[i];
      copy[i] = copy[j];
      copy[j] = swap;
    }
    return copy;
  }

  var api = {
    loadExtras: loadExtras,
    audio: audio,
    current: current,
    tracks: function () { return state.queue.slice(); },
    position: function () { return state.index; },
    shuffling: function () { return state.shuffle; },
    repeating: function () { return state.repeat; },
    trackOf: trackOf,
    playFrom: playFrom,
    step: step,
    togglePlay: togglePlay,
    say: say,
    jump: function (position) {
      load(position, { play: true });
    },
    add: function (track, soon) {
      // Add a track at the end, or right after the current one ("Play next"); moves it if queued.
      var was = state.queue.findIndex(function (each) { return each.id === track.id; });
      if (was >= 0 && was === state.index) {
        return;
      }
      if (was >= 0) {
        state.queue.splice(was, 1);
        if (was < state.index) {
          state.index -= 1;
        }
      }
      if (soon && current()) {
        state.queue.splice(state.index + 1, 0, track);
      } else {
        state.queue.push(track);
      }
      if (!current()) {
        load(0, { play: false });
      } else {
        changed();
      }
    },
    remove: function (position) {
      // Take one track out; removing the current one moves on to the next.
      if (position < 0 || position >= state.queue.length) {
        return;
      }
      var playing = position === state.index;
      var wasPlaying = playing && !audio.paused;
      state.queue.splice(position, 1);
      if (position < state.index) {
        state.index -= 1;
      }
      if (playing) {
        audio.pause();
        if (state.queue.length) {
          load(Math.min(position, state.queue.length - 1), { play: wasPlaying });
          return;
        }
        state.index = -1;
      }
      changed();
    },
    move: function (position, delta) {
      // Swap a track with its neighbour (up: -1, down: +1); the current track stays current.
      var target = position + delta;
      if (target < 0 || target >= state.queue.length) {
        return;
      }
      var moved = state.queue[position];
      state.queue[position] = state.queue[target];
      state.queue[target] = moved;
      if (state.index === position) {
        state.index = target;
      } else if (state.index === target) {
        state.index = position;
      }
      changed();
    },
    clear: function () {
      // Everything but the current track goes.
      var track = current();
      state.queue = track ? [track] : [];
      state.index = track ? 0 : -1;
      state.unshuffled = null;
      changed();
    },
    setShuffle: function (on) {
      // Shuffle reorders what comes after the current track; turning it off restores the order.
      var track = current();
      if (on && !state.shuffle) {
        state.unshuffled = state.queue.slice();
        state.queue = state.queue.slice(0, state.index + 1).concat(shuffled(state.queue.slice(state.index + 1)));
      } else if (!on && state.shuffle && state.unshuffled) {
        var kept = state.queue.map(function (each) { return each.id; });
        var restored = state.unshuffled.filter(function (each) { return kept.indexOf(each.id) >= 0; });
        var ids = restored.map(function (each) { return each.id; });
        state.queue = restored.concat(state.queue.filter(function (each) { return ids.indexOf(each.id) < 0; }));
        state.unshuffled = null;
        state.index = track ? state.queue.findIndex(function (each) { return each.id === track.id; }) : -1;
      }
      state.shuffle = on;
      changed();
    },
    setRepeat: function (on) {
      state.repeat = on;
      changed();
    }
  };
  window.soundstage = window.soundstage || {};
  window.soundstage.player = api;

  audio.addEventListener("timeupdate", function () {
    showTime();
    if (Date.now() - lastSave > SAVE_EVERY_MS) {
      lastSave = Date.now();
      save();
    }
  });
  audio.addEventListener("loadedmetadata", showTime);
  audio.addEventListener("play", function () { showControls(); save(); });
  audio.addEventListener("pause", function () { showControls(); save(); });
  audio.addEventListener("volumechange", showControls);
  audio.addEventListener("ended", function () {
    if (state.index < state.queue.length - 1 || state.repeat) {
      step(1);
    } else {
      showControls();
    }
  });

  toggle.addEventListener("click", togglePlay);
  previous.addEventListener("click", function () { step(-1); });
  next.addEventListener("click", function () { step(1); });
  seek.addEventListener("input", function () {
    audio.currentTime = parseFloat(seek.value) || 0;
  });
  mute.addEventListener("click", function () {
    audio.muted = !audio.muted;
  });
  volume.addEventListener("input", function () {
    audio.volume = (parseFloat(volume.value) || 0) / 100;
    audio.muted = false;
    volume.setAttribute("aria-valuetext", volume.value + "%");
    try {
      localStorage.setItem(VOLUME_STORE, volume.value);
    } catch (error) {
      // Not remembered; it still applies.
    }
  });
  document.addEventListener("click", function (event) {
    var action = event.target.closest && event.target.closest("[data-action]");
    if (action && action.dataset.action === "shuffle") {
      api.setShuffle(!state.shuffle);
    } else if (action && action.dataset.action === "repeat") {
      api.setRepeat(!state.repeat);
    }
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
        if (audio.paused) {
          audio.play();
        }
        return;
      }
      var card = document.querySelector('button[data-play="' + CSS.escape(id) + '"]');
      if (card) {
        playFrom(card, share * (parseFloat(card.dataset.duration) || 0));
      }
    }
  });

  // A refreshed feed or grid brings cards without the "current track" mark.
  document.addEventListener("htmx:after:swap", markCards);
  window.addEventListener("pagehide", save);

  try {
    var level = localStorage.getItem(VOLUME_STORE);
    if (level !== null) {
      volume.value = level;
      audio.volume = (parseFloat(level) || 0) / 100;
    }
  } catch (error) {
    // No stored volume: full.
  }
  // A reload (or a plain page load in this tab) picks the queue up where it was.
  try {
    var saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
    if (saved && saved.queue && saved.queue.length) {
      state.queue = saved.queue;
      state.shuffle = !!saved.shuffle;
      state.repeat = !!saved.repeat;
      state.unshuffled = saved.unshuffled || null;
      load(Math.min(Math.max(saved.index, 0), state.queue.length - 1), {
        play: saved.playing, at: saved.position
      });
    }
  } catch (error) {
    sessionStorage.removeItem(STORE);
  }
})();
