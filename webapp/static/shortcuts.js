// Keyboard shortcuts anywhere on the page but in fields: Space plays or pauses, Shift+N / Shift+P
// next and previous, Q the queue, ? the list of shortcuts (a dialog; its button on wide screens).
(function () {
  "use strict";

  var player = window.soundstage && window.soundstage.player;
  var help = document.getElementById("player-help");
  var helpOpen = document.getElementById("player-help-open");
  var queuePanel = document.getElementById("queue-panel");
  if (!player || !help) {
    return;
  }
  helpOpen.addEventListener("click", function () { help.showModal(); });

  function typing(target) {
    // Keys belong to fields and controls while they have focus.
    return target.closest && target.closest("input, textarea, select, button, a, summary, audio, video, [contenteditable], dialog");
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    if (event.key === " " && player.current()) {
      event.preventDefault();
      player.togglePlay();
    } else if (event.key === "N" && event.shiftKey) {
      player.step(1);
    } else if (event.key === "P" && event.shiftKey) {
      player.step(-1);
    } else if ((event.key === "q" || event.key === "Q") && !event.shiftKey && queuePanel && player.current()) {
      document.getElementById("queue-open").click();
    } else if (event.key === "?") {
      help.showModal();
    }
  });
})();
