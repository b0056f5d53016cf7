// The Admin API version every call uses. Bumped deliberately, together with the operations under
// ./operations and the stand-in schema extensions, never implicitly by a library upgrade.
export const ADMIN_API_VERSION = "2025-10";
