import { createApp } from 'vue';
import { createPinia } from 'pinia';
import 'vant/es/toast/style';
import 'vant/es/dialog/style';
import 'vant/es/image-preview/style';
import './styles.css';
import App from './App.vue';
import { router } from './router';
import { useCareStore } from '../shared/care';

const app = createApp(App);
app.use(createPinia());
useCareStore();
app.use(router);
app.mount('#app');
