/* ficnlp report: pick a character to highlight its quotations and mentions.
   Works on the DOM only: every offset was resolved in Python, none is computed here. */
(function () {
  "use strict";
  var selected = null;
  var hits = [];
  var cursor = -1;
  var byId = function (id) { return document.getElementById(id); };
  var each = function (list, f) { Array.prototype.forEach.call(list, f); };

  function clear() {
    each(document.querySelectorAll(".hl"), function (e) { e.classList.remove("hl"); });
    each(document.querySelectorAll(".picked"), function (e) { e.classList.remove("picked"); });
    each(document.querySelectorAll(".picked-row"), function (e) { e.classList.remove("picked-row"); });
    each(document.querySelectorAll("#text .cur"), function (e) { e.classList.remove("cur"); });
    document.body.classList.remove("selecting");
    selected = null;
    hits = [];
    cursor = -1;
  }

  function nameOf(id) {
    var found = null;
    each(document.querySelectorAll("[data-pick][data-name]"), function (e) {
      if (!found && e.getAttribute("data-pick") === id) { found = e.getAttribute("data-name"); }
    });
    return found || id;
  }

  function select(id) {
    var again = id === selected;
    clear();
    if (!id || again) { return; }
    selected = id;
    var quotes = {};
    var nq = 0;
    var nm = 0;
    each(document.querySelectorAll("#text .q, #text .m"), function (e) {
      var isQuote = e.classList.contains("q");
      var who = isQuote ? e.getAttribute("data-speaker") : e.getAttribute("data-char");
      if (who !== id) { return; }
      e.classList.add("hl");
      hits.push(e);
      if (isQuote) {
        var qid = e.getAttribute("data-qid");
        if (!quotes[qid]) { quotes[qid] = true; nq += 1; }
      } else {
        nm += 1;
      }
    });
    each(document.querySelectorAll("[data-pick]"), function (e) {
      if (e.getAttribute("data-pick") !== id) { return; }
      e.classList.add("picked");
      var row = e.closest("tr");
      if (row) { row.classList.add("picked-row"); }
    });
    document.body.classList.add("selecting");
    byId("selname").textContent = nameOf(id);
    byId("selcount").textContent = nq + " quotation(s), " + nm + " mention(s) highlighted";
  }

  function step(delta) {
    if (!hits.length) { return; }
    if (cursor >= 0) { hits[cursor].classList.remove("cur"); }
    cursor = (cursor + delta + hits.length) % hits.length;
    hits[cursor].classList.add("cur");
    hits[cursor].scrollIntoView({ block: "center" });
  }

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (!(t instanceof Element)) { return; }
    if (t.closest("#selnext")) { step(1); return; }
    if (t.closest("#selprev")) { step(-1); return; }
    if (t.closest("#selclear")) { clear(); return; }
    var el = t.closest("[data-pick], #text .m, #text .q");
    if (!el) { return; }
    var id = el.getAttribute("data-pick") || el.getAttribute("data-char") || el.getAttribute("data-speaker");
    if (!id) { return; }
    select(id);
  });

  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { clear(); return; }
    var t = ev.target;
    if ((ev.key === "Enter" || ev.key === " ") && t instanceof Element && t.matches("svg [data-pick]")) {
      ev.preventDefault();
      select(t.getAttribute("data-pick"));
    }
  });

  document.body.classList.add("js");
})();
