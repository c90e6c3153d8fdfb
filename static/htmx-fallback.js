// Runs right after the CDN's htmx <script>: when that did not load (no internet, blocked), the local copy
// (static/vendor/, filled by scripts/vendor-assets.sh) is loaded in its place, still before the page runs.
if (!window.htmx) {
  document.write('<script src="/static/vendor/htmx.min.js"><\/script>');
}
