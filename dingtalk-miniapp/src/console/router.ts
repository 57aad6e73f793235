import { createRouter, createWebHistory } from 'vue-router';
import { useSession } from './session';

const soon = () => import('./pages/SoonPage.vue');

export const router = createRouter({
  history: createWebHistory('/console/'),
  routes: [
    { path: '/', redirect: '/review' },
    { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { title: '登录', public: true } },
    { path: '/review', name: 'review', component: () => import('./pages/ReviewPage.vue'), meta: { title: '申报审核' } },
    { path: '/entries', name: 'entries', component: () => import('./pages/EntriesPage.vue'), meta: { title: '积分录入' } },
    { path: '/households', name: 'households', component: () => import('./pages/HouseholdsPage.vue'), meta: { title: '户与成员' } },
    { path: '/audit', name: 'audit', component: () => import('./pages/AuditPage.vue'), meta: { title: '操作日志' } },
    { path: '/publication', name: 'publication', component: () => import('./pages/PublicationPage.vue'), meta: { title: '季度公示' } },
    { path: '/objections', name: 'objections', component: () => import('./pages/ObjectionsPage.vue'), meta: { title: '异议处理' } },
    { path: '/honours', name: 'honours', component: () => import('./pages/HonoursPage.vue'), meta: { title: '荣誉评选' } },
    { path: '/shop', name: 'shop', component: () => import('./pages/ShopPage.vue'), meta: { title: '积分超市' } },
    { path: '/funds', name: 'funds', component: () => import('./pages/FundsPage.vue'), meta: { title: '资金台账' } },
    { path: '/activities', name: 'activities', component: () => import('./pages/ActivitiesPage.vue'), meta: { title: '活动' } },
    { path: '/dashboard', name: 'dashboard', component: () => import('./pages/DashboardPage.vue'), meta: { title: '数据看板' } },
    { path: '/catalogue-changes', name: 'catalogue-changes', component: () => import('./pages/CatalogueChangesPage.vue'), meta: { title: '目录调整' } },
    { path: '/import', name: 'import', component: () => import('./pages/ImportPage.vue'), meta: { title: '批量导入' } },
    { path: '/inspection', name: 'inspection', component: () => import('./pages/InspectionPage.vue'), meta: { title: '入户检查' } },
    { path: '/district-catalogue', name: 'district-catalogue', component: () => import('./pages/DistrictCataloguePage.vue'), meta: { title: '区模板调整' } },
    { path: '/calendar', name: 'calendar', component: () => import('./pages/CalendarPage.vue'), meta: { title: '工作日历' } },
    { path: '/org', name: 'org', component: () => import('./pages/OrgPage.vue'), meta: { title: '组织架构' } },
    { path: '/:pathMatch(.*)*', name: 'not-found', component: soon, meta: { title: '页面不存在', public: true, missing: true } },
  ],
});

router.beforeEach((to) => {
  const session = useSession();
  if (to.name !== 'login' && (to.query.demoUser || (!to.meta.public && !session.loggedIn))) {
    return { name: 'login', query: { ...to.query, redirect: to.path } };
  }
  return true;
});

router.afterEach((to) => {
  document.title = `${(to.meta.title as string) ?? '管理后台'} · 爱大足积分制管理后台`;
});
