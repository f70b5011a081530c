// @ts-check
// The printed plan (/p/{token}/print): a button that opens the browser's print
// dialog, shown only where the browser can print, and a way back for a Home
// Screen app, which has no back button of its own.
const print = document.getElementById('print');
if (print && typeof window.print === 'function') {
  print.hidden = false;
  print.addEventListener('click', () => window.print());
}
const back = document.getElementById('back');
if (back && history.length > 1) {
  back.hidden = false;
  back.addEventListener('click', () => history.back());
}

export {}; // a module: its names stay out of the page's global scope
