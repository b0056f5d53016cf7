// The Function's own test config (`npm test` in this folder): its tests need no database, so they
// do not inherit the root config's global setup. From the repository root, the root config runs them.
export default {
  test: {
    include: ["tests/**/*.test.ts"],
  },
};
