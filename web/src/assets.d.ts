// Stylesheets imported for their side effect; esbuild bundles them into the CSS asset.
declare module '*.css' {}
