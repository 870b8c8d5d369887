// Bindery web UI: copy buttons of the "set me up" snippets. Pages work without it.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.copy");
  if (!button) {
    return;
  }
  const code = document.querySelector("#" + CSS.escape(button.dataset.copy) + " pre");
  try {
    await navigator.clipboard.writeText(code.textContent);
    button.textContent = "Copied";
  } catch (e) {
    // No clipboard (plain HTTP on another host): select the text so Ctrl+C copies it.
    const range = document.createRange();
    range.selectNodeContents(code);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    button.textContent = "Selected";
  }
  setTimeout(() => { button.textContent = "Copy"; }, 1500);
});
