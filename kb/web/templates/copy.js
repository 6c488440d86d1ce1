// Copy without navigator.clipboard too (it exists only on https and localhost): select, then execCommand.
for (const button of document.querySelectorAll("button.copy")) {
  button.addEventListener("click", async () => {
    const text = document.getElementById(button.dataset.target).textContent;
    let done = false;
    try { if (navigator.clipboard) { await navigator.clipboard.writeText(text); done = true; } } catch (e) {}
    if (!done) {
      const area = document.createElement("textarea");
      area.value = text; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
      document.body.appendChild(area); area.select();
      try { done = document.execCommand("copy"); } catch (e) {}
      area.remove();
    }
    document.getElementById("copied").textContent = done ? button.textContent.replace("Copy", "Copied") : "Select the text and copy it";
  });
}
