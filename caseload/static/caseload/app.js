// Starts GOV.UK Frontend's components. The page names the module's address, so that the
// cache-busting file name given by collectstatic is the one loaded.
const script = document.querySelector("script[data-govuk-frontend]");
import(script.dataset.govukFrontend).then(({ initAll }) => initAll());
