// The rule form's condition builder: the JSON condition tree (services/routing/conditions.py) as nested
// groups of conditions with plain controls. Every change writes the tree back into the JSON text area, which
// is what the form posts and the server validates; editing the JSON by hand redraws the builder. Without
// JavaScript, or for a tree the builder cannot show, the text area is the editor. Texts come translated from
// the server (web/condition_builder.py).
(function () {
  "use strict";
  var box = document.querySelector(".condition-builder");
  var area = document.querySelector('textarea[name="conditions"]');
  if (!box || !area) { return; }
  var config = JSON.parse(box.getAttribute("data-config"));
  var T = config.texts, CHOICES = config.choices;
  var GROUPS = ["all", "any", "none"];
  var LEAVES = ["words", "regex", "platform", "channel", "kind", "visibility", "author", "language", "time",
                "weekday", "labels"];
  var LINES = {words: true, author: true, language: true, labels: true};
  var DUTCH_DAYS = {ma: "mon", di: "tue", wo: "wed", "do": "thu", vr: "fri", za: "sat", zo: "sun"};  // also valid
  var root = null;
  var note = document.createElement("p");
  note.className = "muted builder-note";

  function only(node) {
    var keys = node && typeof node === "object" && !Array.isArray(node) ? Object.keys(node) : null;
    return keys && keys.length === 1 ? keys[0] : null;
  }

  function fits(node) {  // can the builder show this node (and everything in it)?
    var key = only(node);
    if (GROUPS.indexOf(key) >= 0) { return Array.isArray(node[key]) && node[key].every(fits); }
    if (key === "regex") { return typeof node.regex === "string"; }
    if (key === "time") { return node.time && typeof node.time === "object"; }
    return LEAVES.indexOf(key) >= 0 && Array.isArray(node[key]);
  }

  function tree(text) {  // the root as a group; null when the text is no JSON, undefined when it does not fit
    var value;
    try { value = JSON.parse(text.trim() || "{}"); } catch (e) { return null; }
    if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0) {
      return {all: []};
    }
    if (!fits(value)) { return undefined; }
    return GROUPS.indexOf(only(value)) >= 0 ? value : {all: [value]};
  }

  function write() {
    var empty = only(root) === "all" && root.all.length === 0;
    area.value = JSON.stringify(empty ? {} : root, null, 2);
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) { made.className = className; }
    if (text) { made.textContent = text; }
    return made;
  }

  function button(text, onClick, label) {
    var made = element("button", "button small", text);
    made.type = "button";
    if (label) { made.setAttribute("aria-label", text + ": " + label); }  // which group or condition
    made.addEventListener("click", function () { onClick(); write(); draw(); });
    return made;
  }

  function select(options, chosen, label, onChange) {
    var made = element("select");
    made.setAttribute("aria-label", label);
    options.forEach(function (value) {
      var option = element("option", null, T[value] || value);
      option.value = value;
      option.selected = value === chosen;
      made.appendChild(option);
    });
    made.addEventListener("change", function () { onChange(made.value); write(); draw(); });
    return made;
  }

  function fresh(kind) {
    var node = {};
    if (GROUPS.indexOf(kind) >= 0) { node[kind] = []; }
    else if (kind === "regex") { node.regex = ""; }
    else if (kind === "time") { node.time = {from: "22:00", to: "07:00"}; }
    else { node[kind] = []; }
    return node;
  }

  function drawGroup(node, siblings, index) {
    var kind = only(node);
    var part = element("fieldset", "cond-group");
    var head = element("div", "cond-head");
    head.appendChild(select(GROUPS, kind, T.group_kind, function (value) {
      var children = node[kind];
      delete node[kind];
      node[value] = children;
    }));
    if (siblings) { head.appendChild(button(T.remove, function () { siblings.splice(index, 1); }, T[kind])); }
    part.appendChild(head);
    var list = element("ul", "cond-list");
    node[kind].forEach(function (child, i) {
      var item = element("li");
      item.appendChild(GROUPS.indexOf(only(child)) >= 0 ? drawGroup(child, node[kind], i)
        : drawLeaf(child, node[kind], i));
      list.appendChild(item);
    });
    if (!siblings && node[kind].length === 0) { part.appendChild(element("p", "muted", T.empty)); }
    part.appendChild(list);
    var add = element("div", "cond-add");
    add.appendChild(button(T.add_condition, function () { node[kind].push(fresh("words")); }));
    add.appendChild(button(T.add_group, function () { node[kind].push(fresh("any")); }));
    part.appendChild(add);
    return part;
  }

  function drawLeaf(node, siblings, index) {
    var kind = only(node);
    var part = element("div", "cond-leaf");
    var head = element("div", "cond-head");
    head.appendChild(select(LEAVES, kind, T.condition_type, function (value) { siblings[index] = fresh(value); }));
    head.appendChild(button(T.remove, function () { siblings.splice(index, 1); }, T[kind]));
    part.appendChild(head);
    part.appendChild(editor(node, kind));
    return part;
  }

  function editor(node, kind) {  // the value's control; typing writes the JSON without redrawing
    var part = element("div", "cond-value");
    if (CHOICES[kind]) {
      if (kind === "weekday") { node.weekday = node.weekday.map(function (day) { return DUTCH_DAYS[day] || day; }); }
      Object.keys(CHOICES[kind]).forEach(function (value) {
        var label = element("label", "check");
        var box = element("input");
        box.type = "checkbox";
        box.value = value;
        box.checked = node[kind].indexOf(value) >= 0;
        box.addEventListener("change", function () {
          node[kind] = node[kind].filter(function (v) { return v !== value; });
          if (box.checked) { node[kind].push(value); }
          write();
        });
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + CHOICES[kind][value]));
        part.appendChild(label);
      });
    } else if (kind === "time") {
      ["from", "to"].forEach(function (end) {
        var label = element("label", null, T["time_" + end] + " ");
        var input = element("input");
        input.type = "time";
        input.value = node.time[end] || "";
        input.addEventListener("input", function () { node.time[end] = input.value; write(); });
        label.appendChild(input);
        part.appendChild(label);
      });
    } else if (kind === "regex" || kind === "channel") {
      var input = element("input", kind === "regex" ? "code" : null);
      input.type = "text";
      input.setAttribute("aria-label", T[kind]);
      input.value = kind === "regex" ? node.regex : node.channel.join(", ");
      input.addEventListener("input", function () {
        node[kind] = kind === "regex" ? input.value : input.value.split(",").map(function (v) {
          return v.trim();
        }).filter(Boolean).map(function (v) { return /^\d+$/.test(v) ? Number(v) : v; });
        write();
      });
      part.appendChild(input);
      if (kind === "channel") { part.appendChild(element("p", "muted", T.channel_hint)); }
    } else if (LINES[kind]) {
      var text = element("textarea");
      text.rows = Math.min(8, Math.max(2, node[kind].length + 1));
      text.setAttribute("aria-label", T[kind]);
      text.value = node[kind].join("\n");
      text.addEventListener("input", function () {
        node[kind] = text.value.split("\n").map(function (v) { return v.trim(); }).filter(Boolean);
        write();
      });
      part.appendChild(text);
      part.appendChild(element("p", "muted", kind === "words" ? T.words_hint : T.lines_hint));
    }
    return part;
  }

  function draw() {
    box.textContent = "";
    box.appendChild(drawGroup(root, null, 0));
  }

  function load() {
    var found = tree(area.value);
    note.remove();
    if (found) {
      root = found;
      draw();
      box.hidden = false;
      return;
    }
    note.textContent = found === null ? T.invalid : T.unsupported;
    area.parentNode.insertBefore(note, area);
    box.hidden = true;  // until the JSON fits again: the builder would write over it
  }

  area.addEventListener("input", load);
  load();
  var field = area.closest(".field");
  if (!box.hidden && !(field && field.classList.contains("has-error"))) { area.closest("details").open = false; }
})();
