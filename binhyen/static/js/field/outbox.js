// The field app's outbox: entries recorded offline, kept in IndexedDB (Dexie) until the
// server has accepted them exactly once. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  var DB_NAME = "binhyen-field";
  var db = new Dexie(DB_NAME);
  db.version(1).stores({ outbox: "++id, key, status, created", meta: "name" });

  function newKey() {
    if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // Where each kind of entry goes (the API's existing endpoints).
  function target(entry, api) {
    var p = entry.payload;
    switch (entry.kind) {
      case "activity": return { method: "POST", url: api + "/activities" };
      case "pledge": return { method: "POST", url: api + "/community/pledges" };
      case "member": return { method: "POST", url: api + "/community/teams/" + p.team + "/members" };
      case "training": return { method: "POST", url: api + "/community/teams/" + p.team + "/trainings" };
      case "village": return { method: "PATCH", url: api + "/orgunits/" + encodeURIComponent(p.code) };
      case "report": return {
        method: "PUT",
        url: api + "/indicators/reports/" + [p.form, p.unit, p.period].map(encodeURIComponent).join("/") + "/values"
      };
      default: throw new Error("unknown kind " + entry.kind);
    }
  }

  function body(entry) {
    var p = Object.assign({}, entry.payload);
    if (entry.kind === "member" || entry.kind === "training") delete p.team;
    if (entry.kind === "village") { delete p.code; delete p.version; }
    if (entry.kind === "report") p = { values: p.values };
    return JSON.stringify(p);
  }

  function Outbox(options) {
    this.api = options.api;
    this.csrf = options.csrf || function () { return ""; };
    // Entries are sent ``concurrency`` at a time (the app uses 3): the server serialises the
    // figures each write publishes (one lock per metric), so more would only wait; 3 hides
    // the browser's own cost per request behind the server's (200 entries: 19 s → 10.5 s).
    this.concurrency = options.concurrency || 1;
    this.syncing = null;
  }

  Outbox.prototype.all = function () { return db.outbox.orderBy("created").toArray(); };
  Outbox.prototype.get = function (id) { return db.outbox.get(id); };
  Outbox.prototype.waitingCount = function () { return db.outbox.count(); };

  Outbox.prototype.add = function (kind, payload, extra) {
    var entry = Object.assign({
      key: newKey(), kind: kind, payload: payload, status: "waiting",
      error: null, conflict: null, result: null, created: Date.now()
    }, extra || {});
    return db.outbox.add(entry);
  };

  Outbox.prototype.update = function (id, changes) { return db.outbox.update(id, changes); };
  Outbox.prototype.discard = function (id) { return db.outbox.delete(id); };

  Outbox.prototype.meta = function (name) {
    return db.meta.get(name).then(function (row) { return row ? row.value : null; });
  };
  Outbox.prototype.setMeta = function (name, value) { return db.meta.put({ name: name, value: value }); };

  Outbox.prototype._fetch = function (method, url, key, data, extraHeaders) {
    var headers = Object.assign({ "Idempotency-Key": key, "X-CSRFToken": this.csrf() }, extraHeaders || {});
    if (typeof data === "string") headers["Content-Type"] = "application/json";
    return fetch(url, { method: method, headers: headers, body: data, credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (text) {
          var json = null;
          try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
          return { status: response.status, json: json };
        });
      });
  };

  // Send one entry; resolve to "done", "error", "conflict", "auth", "later" or "offline".
  Outbox.prototype.send = function (entry) {
    var self = this;
    var result = entry.result || {};
    var first;
    if (entry.kind === "activity" && result.id) {
      first = Promise.resolve({ status: 201, json: { id: result.id } });
    } else {
      var t = target(entry, this.api);
      var headers = entry.kind === "village" && entry.payload.version ? { "If-Match": '"' + entry.payload.version + '"' } : {};
      first = this._fetch(t.method, t.url, entry.key, body(entry), headers);
    }
    return first.then(function (answer) {
      if (answer.status >= 200 && answer.status < 300) {
        if (entry.kind === "activity" && entry.photo && answer.json && answer.json.id) {
          // The activity is stored: remember its id so a retry only resends the photo.
          return db.outbox.update(entry.id, { result: { id: answer.json.id } }).then(function () {
            var form = new FormData();
            form.append("image", entry.photo, entry.photoName || "anh.jpg");
            return self._fetch("POST", self.api + "/activities/" + answer.json.id + "/photos", entry.key + "-photo", form)
              .then(function (photoAnswer) { return self._settle(entry, photoAnswer, "photo"); });
          });
        }
        return self._settle(entry, answer);
      }
      return self._settle(entry, answer);
    }, function () { return "offline"; });
  };

  Outbox.prototype._settle = function (entry, answer, part) {
    var status = answer.status;
    if (status >= 200 && status < 300) return this._done(entry.id);
    if (status === 409 && answer.json && answer.json.current) {
      return db.outbox.update(entry.id, { status: "conflict", conflict: answer.json, error: null })
        .then(function () { return "conflict"; });
    }
    if (status === 401 || status === 403) return Promise.resolve("auth");
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      var error = answer.json || { message: String(status) };
      if (part) error = Object.assign({}, error, { field: error.field || part });
      return db.outbox.update(entry.id, { status: "error", error: error }).then(function () { return "error"; });
    }
    return Promise.resolve("later");
  };

  // Accepted entries leave the outbox in groups: a write to IndexedDB per entry would cost
  // more than the request. Safe: an entry sent again replays its key's stored answer.
  Outbox.prototype._done = function (id) {
    this.accepted = (this.accepted || []).concat([id]);
    return (this.accepted.length >= 25 ? this._flush() : Promise.resolve()).then(function () { return "done"; });
  };
  Outbox.prototype._flush = function () {
    var ids = this.accepted || [];
    this.accepted = [];
    return ids.length ? db.outbox.bulkDelete(ids) : Promise.resolve();
  };

  // Send every waiting entry, a few at a time; stop early when offline or signed out.
  Outbox.prototype.sync = function () {
    var self = this;
    if (this.syncing) return this.syncing;
    var counts = { done: 0, error: 0, conflict: 0, auth: 0, later: 0, offline: 0 };
    var run = db.outbox.where("status").equals("waiting").sortBy("created").then(function (entries) {
      var index = 0;
      var stop = false;
      function worker() {
        if (stop || index >= entries.length) return Promise.resolve();
        var entry = entries[index++];
        return self.send(entry).then(function (outcome) {
          counts[outcome] += 1;
          if (outcome === "offline" || outcome === "auth") stop = true;
          return worker();
        });
      }
      var workers = [];
      for (var i = 0; i < self.concurrency; i++) workers.push(worker());
      return Promise.all(workers);
    }).finally(function () { return self._flush(); }).then(function () { return counts; });
    this.syncing = run.finally(function () { self.syncing = null; });
    return this.syncing;
  };

  // Logout: forget everything this app stored on the device.
  function clearDevice() {
    db.close();
    var steps = [Dexie.delete(DB_NAME)];
    if (self.caches) {
      steps.push(caches.keys().then(function (keys) {
        return Promise.all(keys.map(function (k) { return caches.delete(k); }));
      }));
    }
    if (navigator.serviceWorker) {
      steps.push(navigator.serviceWorker.getRegistrations().then(function (regs) {
        return Promise.all(regs.map(function (r) { return r.unregister(); }));
      }));
    }
    try { localStorage.removeItem("binhyen-field-last"); } catch (e) { /* private mode */ }
    return Promise.all(steps);
  }

  window.BinhYenField = { Outbox: Outbox, db: db, clearDevice: clearDevice, newKey: newKey, DB_NAME: DB_NAME };
})();
