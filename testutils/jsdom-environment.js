/**
 * jsdom, plus the Fetch API classes of Node (jsdom has none) that JupyterLab's ServerConnection builds its
 * requests with (the client specs pass their own `fetch`, so nothing reaches the network).
 */
const { TestEnvironment } = require('jest-environment-jsdom');

class JsdomWithFetch extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of ['fetch', 'Request', 'Response', 'Headers']) {
      this.global[name] = globalThis[name];
    }
  }
}

module.exports = JsdomWithFetch;
