// The field app's screens: forms that save into the outbox, the outbox itself, the conflict
// screen, sync on reconnect and on demand, and the idle lock. No inline scripts (CSP).
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("field-settings").textContent);
  var T = JSON.parse(document.getElementById("field-strings").textContent);
  var F = window.BinhYenField;
  var bundle = null;
  var csrf = "";
  var editing = null;
  var conflictEntry = null;
  var outbox = new F.Outbox({ api: settings.api, csrf: function () { return csrf; }, concurrency: 3 });
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var LAST = "binhyen-field-last";

  // --- messages, tabs -----------------------------------------------------------------------
  function say(text, tone) {
    var box = $("[data-field-message]");
    box.textContent = text;
    box.className = "alert alert-" + (tone || "info");
  }
  function tab(name) {
    document.querySelectorAll("[data-tab]").forEach(function (b) { b.classList.toggle("active", b.dataset.tab === name); });
    document.querySelectorAll("[data-pane]").forEach(function (p) { p.classList.toggle("d-none", p.dataset.pane !== name); });
    if (name === "outbox") renderOutbox();
  }

  // --- the idle lock (applies offline too) -------------------------------------------------
  function touch() { try { localStorage.setItem(LAST, String(Date.now())); } catch (e) { /* private mode */ } }
  function idleExpired() {
    var last = Number(localStorage.getItem(LAST) || 0);
    return last && Date.now() - last > settings.idle_minutes * 60000;
  }
  function lock() {
    $("[data-field-app]").classList.add("d-none");
    $("[data-field-locked]").classList.remove("d-none");
  }
  ["click", "keydown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, function () { if (!$("[data-field-locked]").classList.contains("d-none")) return; touch(); }, { passive: true });
  });
  setInterval(function () { if (idleExpired()) lock(); }, 30000);

  // --- the bundle: the user's units and catalogues -----------------------------------------
  function loadBundle() {
    var stored = outbox.meta("bundle");
    if (!navigator.onLine) return stored;
    return fetch(settings.bootstrap, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.redirected || response.status === 401 || response.status === 403) return "signin";
        if (!response.ok) return stored;
        return response.json().then(function (data) {
          // A sign-in made after the idle lock lifts it; a session left open does not.
          if (!idleExpired() || data.signed_in_at > Number(localStorage.getItem(LAST) || 0)) touch();
          return outbox.setMeta("bundle", data).then(function () { return data; });
        });
      }, function () { return stored; });
  }

  function option(value, label, selected) {
    var o = document.createElement("option");
    o.value = value; o.textContent = label; if (selected) o.selected = true;
    return o;
  }

  function commune() {
    var code = $("#f-commune").value;
    return bundle.communes.filter(function (c) { return c.code === code; })[0];
  }

  // --- forms ------------------------------------------------------------------------------
  function whatChoices() {
    var list = [];
    var c = bundle.catalogues;
    var records = bundle.communes.some(function (x) { return x.records_activities; });
    var manages = bundle.communes.some(function (x) { return x.manages_community; });
    var villages = bundle.communes.some(function (x) { return x.villages.some(function (v) { return v.can_change; }); });
    if (records) c.activity_kinds.forEach(function (k) { list.push({ value: "activity:" + k.value, label: k.label }); });
    if (manages) {
      list.push({ value: "pledge", label: T.kind_pledge });
      list.push({ value: "member", label: T.kind_member });
      list.push({ value: "training", label: T.kind_training });
    }
    if (villages) list.push({ value: "village", label: T.kind_village });
    bundle.communes.forEach(function (x) {
      (x.reports || []).forEach(function (r) {
        var value = "report:" + r.form;
        if (!list.some(function (o) { return o.value === value; })) list.push({ value: value, label: T.kind_report + ": " + r.name });
      });
    });
    return list;
  }

  function input(name, type, value, extra) {
    var wrap = document.createElement("div");
    wrap.className = (extra && extra.wide) ? "col-12" : "col-12 col-sm-6";
    var id = "f-" + name;
    var label = document.createElement("label");
    label.className = "form-label"; label.htmlFor = id; label.textContent = T["f_" + name] || name;
    wrap.appendChild(label);
    var el;
    if (type === "select") {
      el = document.createElement("select"); el.className = "form-select";
      if (!(extra && extra.required)) el.appendChild(option("", T.choose));
      (extra.options || []).forEach(function (o) { el.appendChild(option(o.value, o.label, String(o.value) === String(value))); });
      if (extra.multiple) { el.multiple = true; Array.prototype.forEach.call(el.options, function (o) { o.selected = (value || []).indexOf(o.value) >= 0; }); }
    } else if (type === "textarea") {
      el = document.createElement("textarea"); el.className = "form-control"; el.rows = 2; el.value = value || "";
    } else {
      el = document.createElement("input"); el.className = "form-control"; el.type = type;
      if (type === "number") { el.step = (extra && extra.step) || "1"; el.min = "0"; el.inputMode = "decimal"; }
      if (type === "file") { el.accept = "image/jpeg,image/png,image/webp"; el.capture = "environment"; }
      else if (value !== undefined && value !== null) el.value = value;
    }
    el.id = id; el.name = name; el.dataset.testid = "f-" + name;
    wrap.appendChild(el);
    var feedback = document.createElement("div");
    feedback.className = "invalid-feedback"; feedback.dataset.feedback = name;
    wrap.appendChild(feedback);
    return wrap;
  }

  function today() { return new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 10); }

  function renderFields(values) {
    var box = $("[data-field-fields]");
    box.innerHTML = "";
    var what = $("#f-what").value;
    var c = commune();
    if (!c) return;
    var v = values || {};
    var cat = bundle.catalogues;
    var villages = c.villages.map(function (x) { return { value: x.code, label: x.name }; });
    var add = function (el) { box.appendChild(el); };
    if (what.indexOf("activity:") === 0) {
      var kind = what.split(":")[1];
      var fields = cat.activity_kinds.filter(function (k) { return k.value === kind; })[0].fields;
      add(input("unit", "select", v.unit || c.code, { required: true, options: [{ value: c.code, label: c.name }].concat(villages) }));
      add(input("date", "date", v.date || today()));
      add(input("title", "text", v.title));
      add(input("participants", "number", v.participants));
      var extra = {
        topic: ["text"], place: ["text"], leaflets: ["number"], posters: ["number"], bulletin_boards: ["number"],
        channel: ["select", { options: cat.channels }], posts: ["number"], cameras: ["number"],
        camera_ownership: ["select", { options: cat.camera_ownership }], latitude: ["number", { step: "any" }],
        longitude: ["number", { step: "any" }], light_points: ["number"], lit_km: ["number", { step: "0.1" }],
        cases_resolved: ["number"]
      };
      fields.forEach(function (name) { add(input(name, extra[name][0], v[name], extra[name][1])); });
      if (kind === "outreach" || kind === "lighting") add(input("villages", "select", v.villages, { options: villages, multiple: true, required: true }));
      if (kind === "weapons_surrender") {
        var item = (v.items || [])[0] || {};
        add(input("item_kind", "select", item.item_kind, { options: cat.item_kinds }));
        add(input("quantity", "number", item.quantity));
      }
      add(input("description", "textarea", v.description, { wide: true }));
      add(input("photo", "file", null, { wide: true }));
    } else if (what === "pledge") {
      add(input("unit", "select", v.unit, { required: true, options: villages.concat([{ value: c.code, label: c.name }]) }));
      add(input("signer_kind", "select", v.signer_kind, { options: cat.signer_kinds }));
      add(input("year", "number", v.year || new Date().getFullYear()));
      add(input("signed_on", "date", v.signed_on || today()));
      add(input("signed_by", "text", v.signed_by));
      add(input("household_count", "number", v.household_count));
      add(input("note", "textarea", v.note, { wide: true }));
    } else if (what === "member" || what === "training") {
      var teams = c.teams.map(function (t) { return { value: String(t.id), label: t.name }; });
      add(input("team", "select", v.team, { required: true, options: teams }));
      if (what === "member") {
        add(input("full_name", "text", v.full_name));
        add(input("birth_date", "date", v.birth_date));
        add(input("role", "select", v.role, { options: cat.team_roles }));
        add(input("origin", "select", v.origin, { options: cat.member_origins }));
        add(input("joined_on", "date", v.joined_on || today()));
      } else {
        add(input("held_on", "date", v.held_on || today()));
        add(input("title", "text", v.title));
        add(input("organiser", "text", v.organiser));
        add(input("hours", "number", v.hours, { step: "0.5" }));
        add(input("attendees", "number", v.attendees));
        add(input("note", "textarea", v.note, { wide: true }));
      }
    } else if (what.indexOf("report:") === 0) {
      var report = (c.reports || []).filter(function (r) { return "report:" + r.form === what; })[0];
      if (!report) return;
      var note = document.createElement("p");
      note.className = "col-12 small text-muted mb-0"; note.dataset.testid = "report-period";
      note.textContent = report.period_label + " — " + T.report_draft;
      add(note);
      var given = {};
      (v.values || []).forEach(function (x) { given[x.metric + "|" + x.option] = x.value; });
      report.cells.forEach(function (cell, i) {
        var el = input("cell" + i, "number", given[cell.metric + "|" + cell.option], { step: "any" });
        el.querySelector("label").textContent = cell.name + (cell.unit_of_measure ? " (" + cell.unit_of_measure + ")" : "");
        el.querySelector("input").dataset.metric = cell.metric;
        el.querySelector("input").dataset.option = cell.option;
        add(el);
      });
    } else if (what === "village") {
      var own = c.villages.filter(function (x) { return x.can_change; });
      var chosen = v.code || (own[0] && own[0].code);
      add(input("village", "select", chosen, { required: true, options: own.map(function (x) { return { value: x.code, label: x.name }; }) }));
      var current = own.filter(function (x) { return x.code === chosen; })[0] || {};
      add(input("households", "number", v.households !== undefined ? v.households : current.households));
      add(input("population", "number", v.population !== undefined ? v.population : current.population));
      $("#f-village").addEventListener("change", function () { renderFields({ code: $("#f-village").value }); });
    }
  }

  function num(form, name) {
    var el = form.elements[name];
    if (!el || el.value === "") return undefined;
    return Number(el.value);
  }
  function text(form, name) { var el = form.elements[name]; return el ? el.value.trim() : undefined; }

  function readForm() {
    var form = $("[data-field-form]");
    var what = $("#f-what").value;
    var c = commune();
    var p = {};
    if (what.indexOf("activity:") === 0) {
      var kind = what.split(":")[1];
      p = { kind: kind, unit: text(form, "unit"), date: text(form, "date"), title: text(form, "title") || "",
            description: text(form, "description") || "", participants: num(form, "participants") || 0 };
      var fields = bundle.catalogues.activity_kinds.filter(function (k) { return k.value === kind; })[0].fields;
      fields.forEach(function (name) {
        var el = form.elements[name];
        if (!el) return;
        if (el.type === "number") { var n = num(form, name); if (n !== undefined) p[name] = n; }
        else p[name] = el.value.trim();
      });
      if (form.elements.villages) p.villages = Array.prototype.filter.call(form.elements.villages.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
      if (kind === "weapons_surrender" && text(form, "item_kind")) p.items = [{ item_kind: text(form, "item_kind"), quantity: num(form, "quantity") || 0 }];
      return { kind: "activity", payload: p, label: T.kind_activity + ": " + (p.title || kind) };
    }
    if (what === "pledge") {
      p = { unit: text(form, "unit"), signer_kind: text(form, "signer_kind"), year: num(form, "year"),
            signed_on: text(form, "signed_on"), signed_by: text(form, "signed_by"), note: text(form, "note") || "" };
      if (num(form, "household_count") !== undefined) p.household_count = num(form, "household_count");
      return { kind: "pledge", payload: p, label: T.kind_pledge + ": " + p.signed_by };
    }
    if (what === "member") {
      p = { team: text(form, "team"), full_name: text(form, "full_name"), birth_date: text(form, "birth_date"),
            role: text(form, "role"), origin: text(form, "origin"), joined_on: text(form, "joined_on") };
      return { kind: "member", payload: p, label: T.kind_member + ": " + p.full_name };
    }
    if (what === "training") {
      p = { team: text(form, "team"), held_on: text(form, "held_on"), title: text(form, "title"),
            organiser: text(form, "organiser") || "", note: text(form, "note") || "" };
      if (num(form, "hours") !== undefined) p.hours = num(form, "hours");
      if (num(form, "attendees") !== undefined) p.attendees = num(form, "attendees");
      return { kind: "training", payload: p, label: T.kind_training + ": " + p.title };
    }
    if (what.indexOf("report:") === 0) {
      var report = c.reports.filter(function (r) { return "report:" + r.form === what; })[0];
      var values = [];
      form.querySelectorAll("input[data-metric]").forEach(function (el) {
        if (el.value !== "") values.push({ metric: el.dataset.metric, option: el.dataset.option, value: Number(el.value) });
      });
      p = { form: report.form, unit: c.code, period: report.period, values: values };
      return { kind: "report", payload: p, label: T.kind_report + ": " + report.name + " " + report.period_label };
    }
    var code = text(form, "village");
    var village = c.villages.filter(function (x) { return x.code === code; })[0];
    p = { code: code, version: village.version };
    ["households", "population"].forEach(function (name) {
      var n = num(form, name);
      if (n !== undefined && n !== village[name]) p[name] = n;
    });
    return { kind: "village", payload: p, label: T.kind_village + ": " + village.name };
  }

  function save(event) {
    event.preventDefault();
    var read = readForm();
    var form = $("[data-field-form]");
    var file = form.elements.photo && form.elements.photo.files[0];
    var extra = { label: read.label, what: $("#f-what").value, commune: $("#f-commune").value };
    if (file) { extra.photo = file; extra.photoName = file.name; }
    var done;
    if (editing) {
      var changes = Object.assign({ kind: read.kind, payload: read.payload, status: "waiting", error: null }, extra);
      if (!file) delete changes.photo;
      done = outbox.update(editing, changes);
    } else {
      done = outbox.add(read.kind, read.payload, extra);
    }
    return done.then(function () {
      editing = null;
      $("[data-action=cancel-edit]").classList.add("d-none");
      say(navigator.onLine ? T.saved : T.saved_offline, "success");
      renderFields();
      refreshCount();
      if (navigator.onLine) sync();
    });
  }

  // --- the outbox -----------------------------------------------------------------------
  function refreshCount() {
    return outbox.waitingCount().then(function (n) { $("[data-testid=waiting-count]").textContent = n; return n; });
  }

  function renderOutbox() {
    return outbox.all().then(function (entries) {
      var list = $("[data-field-outbox]");
      list.innerHTML = "";
      $("[data-testid=outbox-empty]").classList.toggle("d-none", entries.length > 0);
      entries.forEach(function (entry) {
        var li = document.createElement("li");
        li.className = "list-group-item d-flex flex-wrap gap-2 align-items-center";
        li.dataset.testid = "entry"; li.dataset.status = entry.status;
        var title = document.createElement("span"); title.className = "me-auto"; title.textContent = entry.label || entry.kind;
        var badge = document.createElement("span");
        var tones = { waiting: "secondary", error: "danger", conflict: "warning" };
        badge.className = "badge text-bg-" + (tones[entry.status] || "secondary");
        badge.textContent = T["status_" + entry.status] || entry.status;
        li.appendChild(title); li.appendChild(badge);
        if (entry.photo) { var cam = document.createElement("i"); cam.className = "bi bi-camera"; cam.title = T.f_photo; li.appendChild(cam); }
        var buttons = document.createElement("span"); buttons.className = "btn-group btn-group-sm";
        if (entry.status === "conflict") buttons.appendChild(button(T.choose_values, "warning", function () { showConflict(entry); }, "choose"));
        else if (!(entry.result && entry.result.id)) buttons.appendChild(button(T.edit, "outline-primary", function () { edit(entry); }, "edit"));
        else if (entry.status === "error") buttons.appendChild(button(T.retry, "outline-primary", function () { outbox.update(entry.id, { status: "waiting", error: null }).then(sync); }, "retry"));
        buttons.appendChild(button(T.discard, "outline-danger", function () {
          if (window.confirm(T.confirm_discard)) outbox.discard(entry.id).then(function () { renderOutbox(); refreshCount(); });
        }, "discard"));
        li.appendChild(buttons);
        if (entry.error) {
          var err = document.createElement("div");
          err.className = "w-100 small text-danger"; err.dataset.testid = "entry-error";
          var details = (entry.error.errors || []).map(function (e) { return (e.field ? (T["f_" + e.field] || e.field) + ": " : "") + e.message; });
          err.textContent = details.length ? details.join("; ") : ((entry.error.field ? (T["f_" + entry.error.field] || entry.error.field) + ": " : "") + entry.error.message);
          li.appendChild(err);
        }
        list.appendChild(li);
      });
    });
  }

  function button(label, tone, handler, testid) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "btn btn-" + tone; b.textContent = label; b.dataset.testid = testid;
    b.addEventListener("click", handler);
    return b;
  }

  function edit(entry) {
    editing = entry.id;
    $("#f-commune").value = entry.commune || $("#f-commune").value;
    $("#f-what").value = entry.what || entry.kind;
    var values = Object.assign({}, entry.payload);
    renderFields(values);
    if (entry.error && entry.error.field) {
      var el = $("[data-field-form]").elements[entry.error.field];
      if (el) { el.classList.add("is-invalid"); $("[data-feedback=" + entry.error.field + "]").textContent = entry.error.message; }
    }
    $("[data-action=cancel-edit]").classList.remove("d-none");
    tab("new");
  }

  // --- conflicts: both versions, field by field; the user chooses ----------------------------
  function showConflict(entry) {
    conflictEntry = entry;
    var rows = $("[data-conflict-rows]");
    rows.innerHTML = "";
    var current = entry.conflict.current;
    Object.keys(entry.payload).filter(function (k) { return k !== "code" && k !== "version"; }).forEach(function (name) {
      var tr = document.createElement("tr");
      tr.dataset.field = name;
      var th = document.createElement("th"); th.textContent = T["f_" + name] || name; tr.appendChild(th);
      [["mine", entry.payload[name]], ["server", current[name]]].forEach(function (pair, i) {
        var td = document.createElement("td");
        var id = "c-" + name + "-" + pair[0];
        td.innerHTML = '<div class="form-check"><input class="form-check-input" type="radio"><label class="form-check-label"></label></div>';
        var radio = td.querySelector("input"); radio.name = "c-" + name; radio.id = id; radio.value = pair[0];
        radio.dataset.testid = "pick-" + name + "-" + pair[0];
        radio.checked = i === 0;
        var label = td.querySelector("label"); label.htmlFor = id;
        label.textContent = pair[1] === null || pair[1] === undefined ? "—" : String(pair[1]);
        tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
    $("[data-field-conflict]").classList.remove("d-none");
  }

  function resolve() {
    var entry = conflictEntry;
    var current = entry.conflict.current;
    var payload = { code: entry.payload.code, version: entry.conflict.version };
    var changed = false;
    document.querySelectorAll("[data-conflict-rows] tr").forEach(function (tr) {
      var name = tr.dataset.field;
      var pick = tr.querySelector("input:checked").value;
      if (pick === "mine" && entry.payload[name] !== current[name]) { payload[name] = entry.payload[name]; changed = true; }
    });
    $("[data-field-conflict]").classList.add("d-none");
    conflictEntry = null;
    var step = changed
      ? outbox.update(entry.id, { payload: payload, status: "waiting", conflict: null })
      : outbox.discard(entry.id);
    return step.then(function () { say(T.resolved, "success"); renderOutbox(); refreshCount(); return sync(); });
  }

  // --- sync -------------------------------------------------------------------------------
  function sync() {
    if (!navigator.onLine) { say(T.saved_offline, "secondary"); return Promise.resolve(); }
    return outbox.sync().then(function (counts) {
      var tone = counts.error || counts.conflict ? "warning" : "success";
      if (counts.auth) say(T.signin, "warning");
      else if (counts.later || counts.offline) say(T.later, "secondary");
      else if (counts.done || counts.error || counts.conflict) {
        say(T.synced.replace("%(done)s", counts.done).replace("%(error)s", counts.error).replace("%(conflict)s", counts.conflict), tone);
      }
      document.body.dataset.lastSync = JSON.stringify(counts);
      renderOutbox();
      return refreshCount();
    });
  }

  function useToken(token) {
    csrf = token;
    // The cached shell's forms (logout) carry the token of the session that cached them.
    document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (el) { el.value = token; });
  }

  // --- start ------------------------------------------------------------------------------
  function start(data) {
    if (data === "signin") {
      window.location.href = settings.login + "?next=" + encodeURIComponent(window.location.pathname);
      return;
    }
    if (!data) { say(T.need_online_first, "warning"); return; }
    return outbox.meta("owner").then(function (owner) {
      if (owner === null || owner === data.user) return outbox.setMeta("owner", data.user).then(function () { openApp(data); });
      // Another account's entries wait on this device: never shown to, nor sent as, this one.
      return outbox.waitingCount().then(function (n) {
        if (n === 0) return outbox.setMeta("owner", data.user).then(function () { openApp(data); });
        say(T.other_owner.replace("%(count)s", n), "warning");
      });
    });
  }

  function openApp(data) {
    bundle = data;
    useToken(data.csrf_token);
    if (idleExpired()) { lock(); return; }
    touch();
    if (!bundle.communes.length) { say(T.no_units, "warning"); return; }
    $("[data-field-app]").classList.remove("d-none");
    var what = $("#f-what");
    whatChoices().forEach(function (o) { what.appendChild(option(o.value, o.label)); });
    bundle.communes.forEach(function (c) { $("#f-commune").appendChild(option(c.code, c.name)); });
    what.addEventListener("change", function () { renderFields(); });
    $("#f-commune").addEventListener("change", function () { renderFields(); });
    $("[data-field-form]").addEventListener("submit", save);
    $("[data-action=cancel-edit]").addEventListener("click", function () { editing = null; this.classList.add("d-none"); renderFields(); });
    $("[data-action=resolve]").addEventListener("click", resolve);
    document.querySelectorAll("[data-tab]").forEach(function (b) { b.addEventListener("click", function () { tab(b.dataset.tab); }); });
    renderFields();
    refreshCount();
    renderOutbox();
    document.body.dataset.ready = "1";
    if (navigator.onLine) sync();
  }

  $("[data-action=sync]").addEventListener("click", function () { sync(); });
  window.addEventListener("online", function () { loadBundle().then(function (d) { if (d && d !== "signin") { bundle = d; useToken(d.csrf_token); } sync(); }); });
  document.addEventListener("field:update-waiting", function (event) {
    var bar = $("[data-field-update]");
    bar.classList.remove("d-none");
    $("[data-action=update]").onclick = function () { event.detail.messageSkipWaiting(); };
  });
  loadBundle().then(start);
})();
