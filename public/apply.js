// Progressive enhancement for the application form; the form works without this file (its 一時保存 button
// saves the same draft). A moment after typing stops, the draft is posted to the server so that a closed tab
// loses nothing, and the result is announced in the form's status region (role="status", aria-live).
// No text lives here: messages come from the server's JSON or from the region's data-failed attribute.
(() => {
  const form = document.querySelector('form[data-autosave]');
  if (!(form instanceof HTMLFormElement)) return;
  const url = form.dataset.autosave;
  const region = document.getElementById('autosave-status');
  const csrf = form.querySelector('input[name="_csrf"]');
  const DELAY_MS = 1500;
  let timer;
  let dirty = false;
  let saving = false;
  let again = false;
  let leaving = false;

  const say = (text) => {
    if (region && text) region.textContent = text;
  };
  const failed = () => say(region?.dataset.failed ?? '');

  const post = (keepalive) =>
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      keepalive,
      headers: {
        Accept: 'application/json',
        'X-CSRF-Token': csrf instanceof HTMLInputElement ? csrf.value : '',
      },
      body: new URLSearchParams(new FormData(form)),
    });

  async function save() {
    if (leaving || !url || !dirty) return;
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    dirty = false;
    try {
      const res = await post(false);
      const json = (res.headers.get('content-type') ?? '').includes('application/json');
      const data = json ? await res.json() : null;
      if (data && typeof data.message === 'string') say(data.message);
      else failed();
    } catch {
      dirty = true;
      failed();
    } finally {
      saving = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  }

  function schedule() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, DELAY_MS);
  }

  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);
  // A real submission (either button) takes over: no autosave may race it.
  form.addEventListener('submit', () => {
    leaving = true;
    clearTimeout(timer);
  });
  // Closing or hiding the tab before the delay is up: send what is pending now (keepalive outlives the page).
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'hidden' || leaving || !dirty || !url) return;
    clearTimeout(timer);
    dirty = false;
    post(true).catch(() => {});
  });
})();
