/**
 * The bookshelf: a reading club's library app of some size (about fifty files: a router, a store,
 * six resources each with a model, routes, tests, a page and its script, shared styles and scripts),
 * the existing project the context benchmark seeds before its scripted session runs over it.
 */
import { modelJs, pageHtml, pageJs, RESOURCES, routesJs, testJs } from './resources.ts';
import * as shared from './shared.ts';

export const BOOKSHELF_PROJECT = {
  name: 'bookshelf',
  description:
    "The reading club's library: books, members, loans, reviews, authors and shelves, each with a JSON API and a page. Node, no dependencies.",
};

/** Every file of the project as it is before the session: path → content. */
export function bookshelfFiles(): Record<string, string> {
  const files: Record<string, string> = {
    'package.json': shared.PACKAGE_JSON,
    'README.md': shared.README_MD,
    '.gitignore': shared.GITIGNORE,
    'src/server.js': shared.SERVER_JS,
    'src/app.js': shared.APP_JS,
    'src/stats.js': shared.STATS_JS,
    'src/validation.js': shared.VALIDATION_JS,
    'src/http/router.js': shared.ROUTER_JS,
    'src/http/json.js': shared.JSON_JS,
    'src/http/static.js': shared.STATIC_JS,
    'src/store/collection.js': shared.COLLECTION_JS,
    'src/store/stores.js': shared.STORES_JS,
    'src/store/seed.js': shared.SEED_JS,
    'public/index.html': shared.INDEX_HTML,
    'public/css/base.css': shared.BASE_CSS,
    'public/css/layout.css': shared.LAYOUT_CSS,
    'public/css/forms.css': shared.FORMS_CSS,
    'public/js/api.js': shared.API_JS,
    'public/js/dom.js': shared.DOM_JS,
    'public/js/nav.js': shared.NAV_JS,
    'public/js/home.js': shared.HOME_JS,
    'test/helpers.js': shared.HELPERS_JS,
    'test/router.test.js': shared.ROUTER_TEST_JS,
    'test/validation.test.js': shared.VALIDATION_TEST_JS,
    'test/static.test.js': shared.STATIC_TEST_JS,
  };
  for (const r of RESOURCES) {
    files[`src/${r.name}/model.js`] = modelJs(r);
    files[`src/${r.name}/routes.js`] = routesJs(r);
    files[`test/${r.name}.test.js`] = testJs(r);
    files[`public/${r.name}.html`] = pageHtml(r);
    files[`public/js/${r.name}.js`] = pageJs(r);
  }
  return files;
}
