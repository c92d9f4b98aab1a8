// Boots the /docs API reference: loads the Worker's OpenAPI document and renders it with Scalar's
// standalone bundle (vendor/scalar-api-reference.js, served from this origin). Every feature that would
// reach a third-party host is switched off — web fonts, telemetry, the AI agent, MCP, the request proxy,
// the "Open API Client" link to Scalar's hosted client — so the page works offline and sends nothing
// anywhere but the API it documents ("Test Request" opens the client in the page).
(function () {
  "use strict";
  var root = document.getElementById("reference");
  var openapiUrl = root.getAttribute("data-openapi-url") || "/v1/openapi.json";
  // Local development only: the page carries a demo API key for "Test Request" (src/routes/docs/docs.handlers.ts).
  var demoKey = root.getAttribute("data-demo-key");

  function fail(message) {
    root.innerHTML = "";
    var p = document.createElement("p");
    p.className = "docs-error";
    p.textContent = message;
    var a = document.createElement("a");
    a.href = openapiUrl;
    a.textContent = openapiUrl;
    p.append(" The raw OpenAPI document: ", a);
    root.append(p);
  }

  if (typeof window.Scalar === "undefined") {
    fail("The reference renderer did not load (public/docs/assets/vendor is copied by `npm run dev`, `npm test` and `npm run deploy`).");
    return;
  }

  fetch(openapiUrl, { headers: { Accept: "application/json" } })
    .then(function (res) {
      if (!res.ok) throw new Error(openapiUrl + " answered " + res.status);
      return res.json();
    })
    .then(function (doc) {
      // "Test Request" goes to the server that served this page first, then the document's own list.
      var here = window.location.origin;
      var servers = [{ url: here, description: "This server" }].concat(
        (doc.servers || []).filter(function (s) {
          return s.url.replace(/\/$/, "") !== here;
        }),
      );
      root.innerHTML = "";
      window.Scalar.createApiReference(root, {
        content: doc,
        servers: servers,
        metaData: { title: "WBIZ API reference" },
        layout: "modern",
        theme: "default",
        withDefaultFonts: false,
        telemetry: false,
        agent: { disabled: true },
        mcp: { disabled: true },
        showDeveloperTools: "never",
        hideClientButton: true,
        documentDownloadType: "json",
        defaultOpenAllTags: true,
        expandAllResponses: true,
        persistAuth: false,
        authentication: demoKey
          ? { preferredSecurityScheme: "bearerAuth", securitySchemes: { bearerAuth: { token: demoKey } } }
          : { preferredSecurityScheme: "bearerAuth" },
        defaultHttpClient: { targetKey: "shell", clientKey: "curl" },
      });
    })
    .catch(function (err) {
      fail("Could not load the API reference: " + (err && err.message ? err.message : String(err)) + ".");
    });
})();
