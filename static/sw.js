/* fieldapp service worker. Served at /sw.js by the offline blueprint, which puts
 * FIELDAPP_VERSION, FIELDAPP_PRECACHE and FIELDAPP_FALLBACK in front of this file: a deploy
 * that changes any precached file changes those bytes, so the browser installs a new worker
 * with a new cache.
 *
 * What it does: keeps the app shell (pages, scripts, styles, strings, code lists, font,
 * icons) so the field pages open with no network, and keeps the latest street list.
 * What it never does: touch the outbox in IndexedDB, or queue API writes. The page's outbox
 * owns records; a worker update can therefore never strand or replay one.
 */
/* global FIELDAPP_VERSION, FIELDAPP_PRECACHE, FIELDAPP_FALLBACK */
"use strict";

var SHELL = "fieldapp-shell-" + FIELDAPP_VERSION;
var SHELL_PREFIX = "fieldapp-shell-";
var RUNTIME = "fieldapp-runtime";
var STREETS_PATH = "/api/v1/streets";
var STREETS_FULL = "/api/v1/streets?limit=500";
// The catalogs: wordings an admin accepted arrive in them at any time, so with a line they come
// from the network (an ETag makes an unchanged one a 304) and replace this version's cached copy;
// without one, or when the line is too slow, the cached copy answers. Only the Cache Storage
// entry changes: the outbox's IndexedDB is the page's, never the worker's.
var STRINGS_PREFIX = "/field/i18n/";
var STRINGS_WAIT_MS = 3000;
var PRECACHED = new Set(FIELDAPP_PRECACHE);

self.addEventListener("install", function (event) {
  // All or nothing: a half-filled shell would open forms that cannot work offline. If one
  // file fails, this version is not installed and the previous one stays in charge.
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return Promise.all(FIELDAPP_PRECACHE.map(function (url) {
      return fetch(new Request(url, { cache: "reload", credentials: "same-origin" })).then(function (response) {
        if (!response.ok) throw new Error("precache " + url + ": HTTP " + response.status);
        return Promise.resolve(clean(response)).then(function (r) { return cache.put(url, r); });
      });
    }));
  }));
  // No skipWaiting here: an open page keeps the worker (and cache) it was built with until the
  // volunteer chooses "Update" or closes the app, so a half-typed form is never reloaded away.
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(SHELL_PREFIX) === 0 && name !== SHELL;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
  if (event.data && event.data.type === "VERSION" && event.ports[0]) event.ports[0].postMessage(FIELDAPP_VERSION);
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  // Writes go straight to the network: the page's outbox decides what a reply means.
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname === "/sw.js") return;
  if (url.pathname === STREETS_PATH) { event.respondWith(streets(request, url)); return; }
  if (url.pathname.indexOf(STRINGS_PREFIX) === 0 && PRECACHED.has(url.pathname)) {
    event.respondWith(strings(request, url));
    return;
  }
  if (url.pathname.indexOf("/api/") === 0) return;
  if (request.mode === "navigate") {
    if (url.pathname === "/field" || url.pathname.indexOf("/field/") === 0) event.respondWith(page(request, url));
    return;
  }
  if (PRECACHED.has(url.pathname + url.search) || PRECACHED.has(url.pathname)) event.respondWith(asset(request, url));
});

// A redirected response cannot answer a navigation; keep only the body and headers.
function clean(response) {
  if (!response.redirected) return response;
  return response.blob().then(function (body) {
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  });
}

function fromShell(url) {
  return caches.open(SHELL).then(function (cache) {
    return cache.match(url.pathname + url.search, { ignoreVary: true }).then(function (hit) {
      return hit || cache.match(url.pathname, { ignoreVary: true, ignoreSearch: true });
    });
  });
}

// Shell pages come from this version's cache first: the app opens in a stairwell.
function page(request, url) {
  return fromShell(url).then(function (hit) {
    if (hit) return hit;
    return fetch(request).catch(function () {
      return caches.open(SHELL).then(function (cache) {
        return cache.match(FIELDAPP_FALLBACK, { ignoreVary: true });
      }).then(function (fallback) {
        return fallback || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
      });
    });
  });
}

function asset(request, url) {
  return fromShell(url).then(function (hit) { return hit || fetch(request); });
}

// Network first, kept in this version's shell cache; the cached copy when there is no answer in time.
function strings(request, url) {
  var network = fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      return caches.open(SHELL).then(function (cache) { return cache.put(url.pathname, copy); })
        .then(function () { return response; });
    }
    return response;
  });
  var timer;
  var slow = new Promise(function (resolve) { timer = setTimeout(resolve, STRINGS_WAIT_MS); }).then(function () {
    return fromShell(url).then(function (hit) { return hit || network; });
  });
  return Promise.race([network.then(function (response) {
    clearTimeout(timer);
    if (response.ok) return response;
    return fromShell(url).then(function (hit) { return hit || response; });
  }), slow]).catch(function () {
    clearTimeout(timer);
    return fromShell(url).then(function (hit) {
      return hit || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
    });
  });
}

// Network first, so the list is fresh whenever there is signal; offline, the last full list,
// filtered and ordered here the way the server would (name search, distance from `near`).
function streets(request, url) {
  var key = url.pathname + url.search;
  // Only lists without a point or a search are kept: one entry per list, not one per place
  // the volunteer stood. Offline, the others are answered from the full list below.
  var keep = !url.searchParams.has("near") && !url.searchParams.has("q");
  return fetch(request).then(function (response) {
    if (response.ok && keep) {
      var copy = response.clone();
      caches.open(RUNTIME).then(function (cache) { return cache.put(key, copy); });
    }
    return response;
  }).catch(function (error) {
    return caches.open(RUNTIME).then(function (cache) {
      return cache.match(key).then(function (hit) {
        if (hit) return hit;
        return cache.match(STREETS_FULL).then(function (full) {
          if (!full) throw error;
          return full.json().then(function (body) { return answerOffline(body, url.searchParams); });
        });
      });
    });
  });
}

function answerOffline(body, params) {
  var rows = (body.streets || []).slice();
  var q = (params.get("q") || "").trim().toLowerCase();
  if (q) rows = rows.filter(function (s) { return String(s.name).toLowerCase().indexOf(q) !== -1; });
  var near = (params.get("near") || "").split(",").map(Number);
  if (near.length === 2 && near.every(isFinite)) {
    rows.forEach(function (s) { s.distance_m = s.centroid ? metres(near[0], near[1], s.centroid.lat, s.centroid.lon) : null; });
    rows.sort(function (a, b) {
      return (a.distance_m === null) - (b.distance_m === null) || a.distance_m - b.distance_m || (a.name < b.name ? -1 : 1);
    });
  }
  var limit = parseInt(params.get("limit") || "50", 10);
  rows = rows.slice(0, limit > 0 ? limit : 50);
  return new Response(JSON.stringify({ streets: rows }), {
    status: 200, headers: { "Content-Type": "application/json", "X-Fieldapp-Offline": "1" },
  });
}

// Great-circle distance; close enough to the server's geodesic for ordering nearby streets.
function metres(lat1, lon1, lat2, lon2) {
  var r = 6371008.8, rad = Math.PI / 180;
  var dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad;
  var a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
  return 2 * r * Math.asin(Math.sqrt(a));
}
