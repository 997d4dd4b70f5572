"""Reports: the report card and the quarterly, annual and accomplishments reports (HTML, tagged PDF, XLSX),
StratML, and publishing the public site as static files. Layer 6: reads other modules through their selectors,
services and exporters only."""
