import '@shopify/ui-extensions/preact';
import { render } from 'preact';
import { bundledAppUrl } from './app-url';
import { RedeemBox } from './RedeemBox';

// Entry for both targets in shopify.extension.toml; the only module that touches the `shopify` global.
export default async () => {
  render(<RedeemBox host={shopify} appUrl={bundledAppUrl()} />, document.body);
};
