// Show the markers of a lesson's code blocks, as the terminal does: the file
// name of a `file=NAME` block (what `podlearn files` writes) and a warning on
// a `mistake` block.
(function () {
  "use strict";
  document.querySelectorAll("pre > code").forEach(function (code) {
    var file = null;
    var mistake = false;
    code.classList.forEach(function (cls) {
      if (cls.indexOf("file=") === 0) {
        file = cls.slice("file=".length).replace(/^["']|["']$/g, "");
      } else if (cls === "mistake") {
        mistake = true;
      }
    });
    if (!file && !mistake) {
      return;
    }
    var label = document.createElement("div");
    label.className = mistake ? "code-label code-label-mistake" : "code-label";
    label.textContent = mistake ? "contains a mistake on purpose" : file;
    var pre = code.parentNode;
    pre.parentNode.insertBefore(label, pre);
  });
})();
