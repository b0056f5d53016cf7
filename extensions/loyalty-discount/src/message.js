// The candidate's message is the reward's title at checkout; Shopify shows the code instead when
// the buyer entered one, so it is only set when the configuration has one.

/**
 * @param {{ message?: string }} config
 * @returns {{ message?: string }}
 */
export function messageOf(config) {
  return config.message ? { message: config.message } : {};
}
