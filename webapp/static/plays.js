// Play counts: a track of a release heard for 3 s (or 30 % of a short one) is reported once
// to /plays; the server counts it at most once per listener and hour, never the owner's.
// Pages showing the count then re-check it on "play-counted" (live.py declares the name).
(function () {
  "use strict";

  var COUNT_SECONDS = 3;
  var COUNT_SHARE = 0.3;
  var player = window.soundstage && window.soundstage.player;
  var bar = document.getElementById("player");
  if (!player || !bar) {
    return;
  }
  var audio = player.audio;
  var listened = 0;
  var lastTime = 0;
  var reported = false;

  function csrfToken() {
    // The token htmx sends, from the body's hx-headers.
    try {
      return JSON.parse(document.body.getAttribute("hx-headers:inherited") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function countPlay(track) {
    fetch(bar.dataset.playsUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
      body: "release_id=" + encodeURIComponent(track.release)
    }).then(function () {
      document.dispatchEvent(new CustomEvent("play-counted", { detail: { id: track.release } }));
    }).catch(function () {
      // A lost report loses one count, never the music.
    });
  }

  document.addEventListener("track-loaded", function () {
    listened = 0;
    lastTime = 0;
    reported = false;
  });
  audio.addEventListener("seeking", function () { lastTime = audio.currentTime; });
  audio.addEventListener("timeupdate", function () {
    var delta = audio.currentTime - lastTime;
    lastTime = audio.currentTime;
    // Only time actually heard counts: seeking jumps further than one tick.
    if (!audio.paused && delta > 0 && delta < 2) {
      listened += delta;
    }
    var track = player.current();
    var duration = isFinite(audio.duration) ? audio.duration : 0;
    if (!reported && track && track.release && (listened >= COUNT_SECONDS || (duration && listened >= duration * COUNT_SHARE))) {
      reported = true;
      countPlay(track);
    }
  });
})();
