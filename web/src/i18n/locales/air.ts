// The air-quality panel and China's AQI levels (HJ 633-2012 names them in Chinese; the English
// names are the Ministry's translations).
export const air = {
  en: {
    title: 'Air quality',
    loading: 'Loading stations…',
    none: 'No air-quality stations in this city yet.',
    unavailable: 'Stations unavailable: {{reason}}',
    last24h: 'last 24 h',
    historyUnavailable: 'history unavailable: {{reason}}',
    noAqi: 'no AQI yet',
    aqiPending: 'AQI pending',
    time: 'Time',
    bandTitle: '{{band}}',
    band: {
      '1': 'Excellent',
      '2': 'Good',
      '3': 'Lightly polluted',
      '4': 'Moderately polluted',
      '5': 'Heavily polluted',
      '6': 'Severely polluted',
    },
  },
  'zh-CN': {
    title: '空气质量',
    loading: '正在加载监测站…',
    none: '本市暂无空气质量监测站。',
    unavailable: '监测站暂不可用：{{reason}}',
    last24h: '近 24 小时',
    historyUnavailable: '历史数据不可用：{{reason}}',
    noAqi: '暂无空气质量指数',
    aqiPending: '指数待更新',
    time: '时间',
    bandTitle: '{{band}}',
    band: {
      '1': '优',
      '2': '良',
      '3': '轻度污染',
      '4': '中度污染',
      '5': '重度污染',
      '6': '严重污染',
    },
  },
} as const;
