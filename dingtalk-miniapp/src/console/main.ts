import { createApp } from 'vue';
import { createPinia } from 'pinia';
import 'element-plus/es/components/message/style/css';
import 'element-plus/es/components/message-box/style/css';
import './styles.css';
import App from './App.vue';
import { router } from './router';
import { useLargeTextStore } from '../shared/care';

const app = createApp(App);
app.use(createPinia());
useLargeTextStore();
app.use(router);
app.mount('#app');
