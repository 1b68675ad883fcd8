// The letter page's print button: shown only where a script can print (the browser's own Print works too).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
