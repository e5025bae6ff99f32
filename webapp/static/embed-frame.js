/*
 * newsarchive /embed, in a frame: tells the page around the frame how tall its content is, on load and whenever that
 * changes, as {type: "newsarchive:height", height: N} (CSS pixels), so the host can size the <iframe> to it (the
 * snippet in docs/web.md). The message goes to any origin ("*"): a height is no secret, and the archive cannot know
 * the host's origin in advance. The host checks the message's origin and source before it trusts it.
 */
(function () {
  "use strict";
  if (window.parent === window) return;  // not framed: nobody to tell
  var root = document.documentElement;
  var told = -1;

  // The root element's own box, not its scrollHeight: scrollHeight is never less than the frame, so a frame once
  // grown tall would never shrink back to fewer results.
  function tell() {
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (height === told) return;
    told = height;
    window.parent.postMessage({ type: "newsarchive:height", height: height }, "*");
  }

  if (typeof ResizeObserver === "function") new ResizeObserver(tell).observe(root);
  window.addEventListener("load", tell);  // late images and fonts
  tell();
})();
