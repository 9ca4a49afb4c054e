// A list of date inputs of one name (the schedule's exception dates): "add" appends an empty one from the
// list's <template>, "remove" takes one out. Without JavaScript the list still works: one empty input is
// always there, and emptying an input removes that date.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-date-add], [data-date-remove]");
  if (!button) return;
  const list = document.getElementById(button.dataset.dateList);
  if (!list) return;
  if (button.hasAttribute("data-date-add")) {
    const row = list.querySelector("template").content.firstElementChild.cloneNode(true);
    const number = list.querySelectorAll("li").length + 1;
    const input = row.querySelector("input");
    const label = row.querySelector("label");
    input.id = `${list.id}-${Date.now()}`;
    label.htmlFor = input.id;
    label.textContent = `${label.textContent} ${number}`;
    list.querySelector("ul").append(row);
    input.focus();
  } else {
    const row = button.closest("li");
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    (next ? next.querySelector("input") : list.querySelector("[data-date-add]"))?.focus();
  }
});
