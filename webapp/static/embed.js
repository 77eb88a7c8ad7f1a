// The embeddable player (/embed/<id>): a play button and a seek slider in place of the native
// audio bar, whose seek line shrinks to a dot in narrow frames. Without JavaScript the native
// bar stays.
(function () {
  "use strict";

  var audio = document.getElementById("embed-audio");
  var controls = document.getElementById("embed-controls");
  if (!audio || !controls) {
    return;
  }
  var toggle = document.getElementById("embed-toggle");
  var seek = document.getElementById("embed-seek");
  var time = document.getElementById("embed-time");
  var use = toggle.querySelector("use");
  var sprite = use.getAttribute("href").split("#")[0];

  function clock(seconds) {
    var whole = Math.max(0, Math.floor(seconds || 0));
    var rest = whole % 60;
    return Math.floor(whole / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function show() {
    var playing = !audio.paused && !audio.ended;
    use.setAttribute("href", sprite + (playing ? "#pause" : "#play"));
    toggle.querySelector(".visually-hidden").textContent = playing ? "Pause" : "Play";
    var duration = isFinite(audio.duration) && audio.duration > 0 ? audio.duration : parseFloat(seek.max) || 0;
    seek.max = String(Math.ceil(duration));
    seek.value = String(Math.floor(audio.currentTime || 0));
    seek.setAttribute("aria-valuetext", clock(audio.currentTime) + " of " + clock(duration));
    time.textContent = clock(audio.currentTime);
  }

  audio.controls = false;
  audio.hidden = true;
  controls.hidden = false;
  toggle.addEventListener("click", function () {
    if (audio.paused) {
      audio.play();
    } else {
      audio.pause();
    }
  });
  seek.addEventListener("input", function () {
    audio.currentTime = parseFloat(seek.value) || 0;
  });
  ["play", "pause", "ended", "timeupdate", "loadedmetadata"].forEach(function (name) {
    audio.addEventListener(name, show);
  });
})();
