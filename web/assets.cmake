# The web pages' files, as served by GET /dashboard (index.html), GET /app (app.html), GET /app/sw.js
# (app-sw.js) and GET /dashboard/assets/{id} or /app/assets/{id} (everything else):
# "name|source relative to web/|media type". This list is the whole set the service can serve; the
# handlers answer 404 for any other name. Included by CMakeLists.txt and by embed_assets.cmake.
set(IJ_DASHBOARD_GOVUK node_modules/govuk-frontend/dist/govuk)
set(IJ_DASHBOARD_ASSETS
    "index.html|src/index.html|text/html"
    "dashboard.js|src/dashboard.js|text/javascript"
    "dashboard.css|src/dashboard.css|text/css"
    "govuk-frontend.min.css|${IJ_DASHBOARD_GOVUK}/govuk-frontend.min.css|text/css"
    "light-94a07e06a1-v2.woff2|${IJ_DASHBOARD_GOVUK}/assets/fonts/light-94a07e06a1-v2.woff2|font/woff2"
    "bold-b542beb274-v2.woff2|${IJ_DASHBOARD_GOVUK}/assets/fonts/bold-b542beb274-v2.woff2|font/woff2"
    "light-f591b13f7d-v2.woff|${IJ_DASHBOARD_GOVUK}/assets/fonts/light-f591b13f7d-v2.woff|font/woff"
    "bold-affa96571d-v2.woff|${IJ_DASHBOARD_GOVUK}/assets/fonts/bold-affa96571d-v2.woff|font/woff"
    "govuk-crest.svg|${IJ_DASHBOARD_GOVUK}/assets/images/govuk-crest.svg|image/svg+xml"
    "favicon.svg|${IJ_DASHBOARD_GOVUK}/assets/images/favicon.svg|image/svg+xml"
    # the practitioners' pages (web/app): one file per area of work, one line each
    "app.html|app/index.html|text/html"
    "app-sw.js|app/sw.js|text/javascript"
    "app.css|app/app.css|text/css"
    "app.js|app/app.js|text/javascript"
    "app-api.js|app/app-api.js|text/javascript"
    "app-ui.js|app/app-ui.js|text/javascript"
    "app-home.js|app/app-home.js|text/javascript"
    "app-officer.js|app/app-officer.js|text/javascript"
    "app-officer-new.js|app/app-officer-new.js|text/javascript"
    "app-coordinator.js|app/app-coordinator.js|text/javascript"
    "app-coordinator-common.js|app/app-coordinator-common.js|text/javascript"
    "app-coordinator-decide.js|app/app-coordinator-decide.js|text/javascript"
    "app-coordinator-book.js|app/app-coordinator-book.js|text/javascript"
    "app-coordinator-people.js|app/app-coordinator-people.js|text/javascript"
    "app-coordinator-apart.js|app/app-coordinator-apart.js|text/javascript"
    "app-coordb-time.js|app/app-coordb-time.js|text/javascript"
    "app-sessions.js|app/app-sessions.js|text/javascript"
    "app-placements.js|app/app-placements.js|text/javascript"
    "app-followups.js|app/app-followups.js|text/javascript"
    "app-supervisor.js|app/app-supervisor.js|text/javascript"
    "app-offline.js|app/app-offline.js|text/javascript"
    "app-admin.js|app/app-admin.js|text/javascript"
    "app-admin-kit.js|app/app-admin-kit.js|text/javascript"
    "app-admin-codes.js|app/app-admin-codes.js|text/javascript"
    "app-admin-area.js|app/app-admin-area.js|text/javascript"
    "app-admin-notify.js|app/app-admin-notify.js|text/javascript")
