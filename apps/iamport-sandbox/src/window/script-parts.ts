/**
 * Browser code both SDK emulations share: the device check and the hidden form POST that opens
 * the window (parameters never travel in a URL: they may carry a name and a phone number).
 * `BASE` must be defined by the including script.
 */
export const SHARED_SCRIPT = `
  function isMobile() {
    return /Mobi|Android|iPhone|iPad|iPod/i.test(navigator.userAgent);
  }

  function submit(target, fields) {
    var form = document.createElement('form');
    form.method = 'POST';
    form.action = BASE + '/v1/certification';
    form.target = target;
    form.style.display = 'none';
    Object.keys(fields).forEach(function (key) {
      var value = fields[key];
      if (value === undefined || value === null || value === '') return;
      var input = document.createElement('input');
      input.type = 'hidden';
      input.name = key;
      input.value = String(value);
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
    form.parentNode.removeChild(form);
  }

  /** Opens the named popup and calls onClosed once it is closed without an answer. */
  function openPopup(name, onClosed) {
    var win = window.open('', name, 'width=440,height=760');
    if (!win) return null;
    var timer = setInterval(function () {
      if (!win.closed) return;
      clearInterval(timer);
      // a late message still wins for a moment
      setTimeout(onClosed, 300);
    }, 250);
    return { stop: function () { clearInterval(timer); } };
  }
`;
