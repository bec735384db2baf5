// A unit's scorecard: a score form refused by the server (422 errors by field, 409 stale,
// 403 refused with a reason) comes back as the item's line, marked by a response header;
// htmx does not swap 4xx answers by default, so let these ones in.
document.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("X-Scorecard-Line")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
