// The lock screen and media keys: title, artist and cover of the current track, the position,
// and play, pause, previous, next and seeking from outside the page.
(function () {
  "use strict";

  var player = window.soundstage && window.soundstage.player;
  if (!player || !("mediaSession" in navigator)) {
    return;
  }
  var audio = player.audio;
  var session = navigator.mediaSession;

  document.addEventListener("queue-changed", function () {
    var track = player.current();
    if (track && window.MediaMetadata) {
      session.metadata = new MediaMetadata({
        title: track.title, artist: track.artist, album: "Soundstage",
        artwork: [{ src: new URL(track.cover, location.href).href, sizes: "512x512" }]
      });
    }
  });
  audio.addEventListener("timeupdate", function () {
    var duration = audio.duration;
    if (isFinite(duration) && duration > 0 && session.setPositionState) {
      session.setPositionState({
        duration: duration, position: Math.min(audio.currentTime || 0, duration),
        playbackRate: audio.playbackRate || 1
      });
    }
  });

  var actions = {
    play: function () { audio.play(); },
    pause: function () { audio.pause(); },
    previoustrack: function () { player.step(-1); },
    nexttrack: function () { player.step(1); },
    seekbackward: function () { audio.currentTime = Math.max(0, audio.currentTime - 10); },
    seekforward: function () { audio.currentTime = audio.currentTime + 10; },
    seekto: function (details) { audio.currentTime = details.seekTime; }
  };
  Object.keys(actions).forEach(function (name) {
    try {
      session.setActionHandler(name, actions[name]);
    } catch (error) {
      // This browser does not know that action.
    }
  });
})();
