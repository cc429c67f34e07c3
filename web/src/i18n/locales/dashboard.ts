// The page frame: header, skip link, and the texts the dashboard puts on map markers.
export const dashboard = {
  en: {
    skipToServices: 'Report an incident or use city services',
    stationPin: '{{name}} · AQI {{aqi}}',
    incidentPin: '{{category}}: {{description}}',
    pageTitle: 'citystream · live city dashboard',
  },
  'zh-CN': {
    skipToServices: '报告事件或办理城市服务',
    stationPin: '{{name}} · 空气质量指数 {{aqi}}',
    incidentPin: '{{category}}：{{description}}',
    pageTitle: '城市服务实时数据 · 城市实时面板',
  },
} as const;
