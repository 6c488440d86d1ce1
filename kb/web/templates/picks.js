// Pick and unpick in place: the page stays where it is, the button says the
// state, the nav's count follows, and the change is announced. Without this
// script the forms still work: a POST, then back to the same hit.
for (const form of document.querySelectorAll("form.pick-toggle")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const answer = await fetch(form.action, {
        method: "POST", body: new FormData(form), headers: { Accept: "application/json" },
      });
      if (!answer.ok) throw new Error(String(answer.status));
      const data = await answer.json();
      const what = button.dataset.what;
      form.action = data.picked ? "/picks/remove" : "/picks/add";
      button.textContent = data.picked ? "Picked ✓" : "Pick";
      button.setAttribute("aria-pressed", data.picked ? "true" : "false");
      button.setAttribute("aria-label", (data.picked ? "Picked ✓, unpick " : "Pick ") + what);
      const count = document.getElementById("pick-count");
      if (count) count.textContent = "(" + data.count + ")";
      document.getElementById("announce").textContent = data.message;
    } catch (error) {
      form.submit(); // let the server answer as it does without the script
    } finally {
      button.disabled = false;
    }
  });
}
