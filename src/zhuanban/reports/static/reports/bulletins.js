// The bulletin editor's "draft a section from data": show only the parameters the chosen
// source takes (the form's data-source-params: {source: [parameter, …]}). Without this
// script every parameter shows and the server ignores those the source does not take.
(() => {
  const form = document.querySelector("form[data-source-params]");
  if (!form) return;
  let params = {};
  try {
    params = JSON.parse(form.dataset.sourceParams || "{}");
  } catch {
    return;
  }
  const source = form.querySelector("select[name$='source']");
  if (!source) return;
  const sync = () => {
    const wanted = params[source.value] || [];
    form.querySelectorAll("[data-param]").forEach((field) => {
      field.hidden = !wanted.includes(field.dataset.param);
    });
  };
  source.addEventListener("change", sync);
  sync();
})();
