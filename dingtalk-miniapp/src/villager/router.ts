import { createRouter, createWebHistory } from 'vue-router';
import { useSession } from './session';
// The first screen is in the entry chunk (fewer requests on a slow network); the rest load on demand.
import HomePage from './pages/HomePage.vue';

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/', name: 'home', component: HomePage, meta: { title: '爱大足' } },
    { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { title: '登录', public: true } },
    { path: '/ledger', name: 'ledger', component: () => import('./pages/LedgerPage.vue'), meta: { title: '积分明细' } },
    { path: '/declare', name: 'declare', component: () => import('./pages/DeclarePage.vue'), meta: { title: '我要申报' } },
    { path: '/declarations', name: 'declarations', component: () => import('./pages/DeclarationsPage.vue'), meta: { title: '我的申报' } },
    { path: '/me', name: 'me', component: () => import('./pages/MePage.vue'), meta: { title: '我的' } },
    { path: '/board', name: 'board', component: () => import('./pages/BoardPage.vue'), meta: { title: '积分榜' } },
    { path: '/objections', name: 'objections', component: () => import('./pages/ObjectionsPage.vue'), meta: { title: '公示与异议' } },
    { path: '/shop', name: 'shop', component: () => import('./pages/ShopPage.vue'), meta: { title: '积分超市' } },
    { path: '/activities', name: 'activities', component: () => import('./pages/ActivitiesPage.vue'), meta: { title: '活动签到' } },
    { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { title: '页面不存在', public: true } },
  ],
});

router.beforeEach((to) => {
  const session = useSession();
  // `?demoUser=` (sim mode) and a DingTalk start always go through the login step.
  if (to.name !== 'login' && (to.query.demoUser || (!to.meta.public && !session.loggedIn))) {
    return { name: 'login', query: { ...to.query, redirect: to.path } };
  }
  return true;
});

router.afterEach((to) => {
  document.title = `${(to.meta.title as string) ?? '爱大足'} · 爱大足积分制`;
});
