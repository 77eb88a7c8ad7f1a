// "Share" buttons open the Share dialog: Copy link, Share via… (Web Share, where the browser
// has it) and Embed (an <iframe> snippet to copy, with a live preview). Without JavaScript the
// buttons are hidden and a link leads to the share page with the same link and code.
(function () {
  "use strict";

  var panel = document.getElementById("share-panel");
  if (!panel) {
    return;
  }
  var what = document.getElementById("share-what");
  var link = document.getElementById("share-link");
  var copy = document.getElementById("share-copy");
  var native = document.getElementById("share-native");
  var embed = document.getElementById("share-embed");
  var embedPanel = document.getElementById("share-embed-panel");
  var code = document.getElementById("share-embed-code");
  var preview = document.getElementById("share-preview");
  var status = document.getElementById("share-status");
  var chosen = null;

  function say(message) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function snippet(url, title) {
    // The same frame the oEmbed answer gives (listening/oembed_frame.html).
    var frame = document.createElement("iframe");
    frame.setAttribute("src", url);
    frame.setAttribute("width", "480");
    frame.setAttribute("height", "160");
    frame.setAttribute("title", title);
    frame.setAttribute("loading", "lazy");
    frame.setAttribute("allow", "autoplay; encrypted-media");
    return frame.outerHTML;
  }

  function copyText(text, done) {
    // The clipboard when allowed; otherwise the text is selected for a manual copy.
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { say(done); }, function () {
        say("Press Ctrl+C to copy.");
      });
    } else {
      say("Press Ctrl+C to copy.");
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-share]");
    if (!button) {
      return;
    }
    chosen = button.dataset;
    what.textContent = chosen.shareTitle;
    link.value = chosen.share;
    code.value = snippet(chosen.embed, chosen.shareTitle);
    embedPanel.hidden = true;
    embed.setAttribute("aria-expanded", "false");
    preview.removeAttribute("src");
    native.hidden = !navigator.share;
    status.textContent = "";
    panel.showModal();
  });

  copy.addEventListener("click", function () {
    link.select();
    copyText(link.value, "Link copied: " + link.value);
  });
  native.addEventListener("click", function () {
    navigator.share({ title: chosen.shareTitle, url: chosen.share }).catch(function () {});
  });
  embed.addEventListener("click", function () {
    var open = embedPanel.hidden;
    embedPanel.hidden = !open;
    embed.setAttribute("aria-expanded", String(open));
    if (open) {
      preview.src = chosen.embed;
      code.focus();
      code.select();
    }
  });
  // A click on the dimmed page around the panel closes it.
  panel.addEventListener("click", function (event) {
    if (event.target === panel) {
      panel.close();
    }
  });
})();
