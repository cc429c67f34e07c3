// Stylesheets imported for their side effect; esbuild bundles them into the CSS asset.
declare module '*.css' {}

// `?url` imports (web/build.ts): the URL of the file, emitted as a hashed asset under /assets/.
declare module '*?url' {
  const url: string;
  export default url;
}
