// Progressive enhancement only: every page works without this file.
// Moves focus to the error summary after a failed submission so screen-reader users hear it first.
document.addEventListener('DOMContentLoaded', () => {
  const summary = document.querySelector('.error-summary');
  if (summary instanceof HTMLElement) summary.focus();
});
