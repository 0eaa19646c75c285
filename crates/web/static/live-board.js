// The live board (crates/web/src/routes/live.rs): when the server says a task of this project
// changed, fetch the board again and swap it in, exactly as a reload would render it. Without
// JavaScript, or without EventSource, the board is the same page and a reload shows changes.
(function () {
  "use strict";
  function start() {
    var board = document.getElementById("board");
    var url = board && board.getAttribute("data-live");
    if (!url || !window.EventSource || !window.htmx) {
      return;
    }
    var source = new EventSource(url);
    var scheduled = false;
    source.addEventListener("change", function () {
      // A burst of changes is one refresh.
      if (scheduled) {
        return;
      }
      scheduled = true;
      window.setTimeout(function () {
        scheduled = false;
        window.htmx.ajax("GET", window.location.pathname + window.location.search, {
          target: "#board",
          select: "#board",
          swap: "outerHTML"
        });
      }, 100);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
