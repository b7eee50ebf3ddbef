// Runs before the page is drawn: GOV.UK Frontend styles its components for JavaScript only
// when the body says it runs (its own inline snippet, moved here for the Content Security Policy).
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
